package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import java.util.Locale;

/**
 * Pads (or, with negative pads, crops) each axis: {@code pads = [b_1, …, b_n, e_1, …, e_n]} adds
 * {@code b_i} elements before and {@code e_i} after axis i. Modes: {@code constant} (fill with
 * the constant value, default 0), {@code reflect} (mirror without repeating the edge) and
 * {@code edge} (repeat the edge). Pads and the constant come from inputs 1 and 2 (opset 11+)
 * or from the constructor (opset ≤ 10 attributes); the opset-18 {@code axes} input 3 restricts
 * pads to the listed axes.
 *
 * <p>Every output element is either the fill value or a copy of one input element, so backward
 * adds each output gradient to the element it was copied from (for reflect and edge an input
 * element can receive several). Pads, value and axes are not differentiable.
 */
public final class Pad implements Op {
    /** Padding modes. */
    public enum Mode {
        CONSTANT, REFLECT, EDGE;

        static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "constant" -> CONSTANT;
                case "reflect" -> REFLECT;
                case "edge" -> EDGE;
                default -> throw new UnsupportedOpException("Pad mode '" + s + "' is not supported (constant, reflect, edge are)");
            };
        }
    }

    private final Mode mode;
    private final int[] pads;
    private final float value;

    /**
     * @param pads the opset ≤ 10 attribute, or null to read input 1
     * @param value the opset ≤ 10 attribute, used when input 2 is absent
     */
    public Pad(Mode mode, int[] pads, float value) {
        this.mode = mode;
        this.pads = pads == null ? null : pads.clone();
        this.value = value;
    }

    /** Opset 11+ form: pads and constant value from inputs. */
    public Pad(Mode mode) {
        this(mode, null, 0f);
    }

    static Pad fromAttributes(Attributes a) {
        return new Pad(Mode.parse(a.getString("mode", "constant")), a.getInts("pads", null), a.getFloat("value", 0f));
    }

    @Override
    public String type() {
        return "Pad";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex == 0;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] in = x.shape();
        int rank = in.length;
        int[] p = inputs.length > 1 && inputs[1] != null ? Shapes.ints(inputs[1]) : pads;
        if (p == null) {
            throw new IllegalArgumentException("Pad needs pads, as attribute (opset ≤ 10) or as input 2 (opset 11+)");
        }
        float fill = inputs.length > 2 && inputs[2] != null && inputs[2].size() > 0 ? inputs[2].data()[0] : value;
        int[] full = new int[2 * rank];
        if (inputs.length > 3 && inputs[3] != null) {
            int[] ax = Shapes.axes(Shapes.ints(inputs[3]), rank, "Pad");
            if (p.length != 2 * ax.length) {
                throw new ShapeMismatchException("Pad: " + p.length + " pads for " + ax.length + " axes, expected " + 2 * ax.length);
            }
            for (int i = 0; i < ax.length; i++) {
                full[ax[i]] = p[i];
                full[ax[i] + rank] = p[i + ax.length];
            }
        } else if (p.length != 2 * rank) {
            throw new ShapeMismatchException("Pad: pads " + Shapes.str(p) + " has " + p.length + " entries but the input "
                    + Shapes.str(in) + " needs 2 x rank = " + 2 * rank);
        } else {
            full = p;
        }
        int[][] maps = new int[rank][];
        for (int d = 0; d < rank; d++) {
            maps[d] = axisMap(in[d], full[d], full[d + rank], d);
        }
        saved.put(maps, in);
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            out[d] = maps[d].length;
        }
        return new Tensor[] {new Tensor(out, Shapes.gatherAxes(x.data(), in, maps, fill))};
    }

    /** For each output position along one axis, the input position it copies, or -1 for the fill value. */
    private int[] axisMap(int n, int before, int after, int axis) {
        long len = (long) n + before + after;
        if (len < 0) {
            throw new ShapeMismatchException("Pad: pads " + before + ", " + after + " crop more than the " + n
                    + " elements of axis " + axis);
        }
        if (n == 0 && len > 0 && mode != Mode.CONSTANT) {
            throw new ShapeMismatchException("Pad: cannot " + mode.name().toLowerCase(Locale.ROOT) + "-pad the empty axis " + axis);
        }
        int[] map = new int[(int) len];
        for (int o = 0; o < map.length; o++) {
            int i = o - before;
            if (i >= 0 && i < n) {
                map[o] = i;
            } else if (mode == Mode.CONSTANT) {
                map[o] = -1;
            } else if (mode == Mode.EDGE) {
                map[o] = i < 0 ? 0 : n - 1;
            } else if (n == 1) {
                map[o] = 0;
            } else {
                // Mirror about the end elements; the pattern repeats every 2(n-1) positions.
                int period = 2 * (n - 1);
                int m = Math.floorMod(i, period);
                map[o] = m < n ? m : period - m;
            }
        }
        return map;
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[][] maps = saved.get(0);
        int[] in = saved.get(1);
        Tensor[] r = new Tensor[needInputGrad.length];
        r[0] = new Tensor(in, Shapes.scatterAxes(gradOutputs[0].data(), in, maps));
        return r;
    }
}
