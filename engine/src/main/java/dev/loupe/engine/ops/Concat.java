package dev.loupe.engine.ops;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;

/**
 * Joins tensors along {@code axis} (negative counts from the end); all other dimensions must
 * agree. Backward cuts the gradient back into the pieces.
 */
public final class Concat implements Op {
    private final int axis;

    public Concat(int axis) {
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    @Override
    public String type() {
        return "Concat";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        int[] first = inputs[0].shape();
        int rank = first.length;
        int ax = Shapes.axis(axis, rank, "Concat");
        int[] out = first.clone();
        out[ax] = 0;
        int[][] shapes = new int[inputs.length][];
        for (int k = 0; k < inputs.length; k++) {
            int[] s = inputs[k].shape();
            boolean ok = s.length == rank;
            for (int d = 0; d < rank && ok; d++) {
                ok = d == ax || s[d] == first[d];
            }
            if (!ok) {
                throw new ShapeMismatchException("Concat along axis " + axis + ": input " + k + " has shape " + Shapes.str(s)
                        + " but input 0 has " + Shapes.str(first) + " (all dimensions but the axis must agree)");
            }
            out[ax] += s[ax];
            shapes[k] = s;
        }
        int outer = 1;
        for (int d = 0; d < ax; d++) {
            outer *= first[d];
        }
        int inner = 1;
        for (int d = ax + 1; d < rank; d++) {
            inner *= first[d];
        }
        float[] y = Buffers.output(Shapes.size(out));
        int outRow = out[ax] * inner;
        int at = 0;
        for (int k = 0; k < inputs.length; k++) {
            int chunk = shapes[k][ax] * inner;
            float[] src = inputs[k].data();
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src, o * chunk, y, o * outRow + at, chunk);
            }
            at += chunk;
        }
        saved.put(shapes, ax, inner);
        return new Tensor[] {new Tensor(out, y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[][] shapes = saved.get(0);
        int ax = saved.get(1);
        int inner = saved.get(2);
        Tensor g = gradOutputs[0];
        float[] gd = g.data();
        int outRow = g.dim(ax) * inner;
        int outer = outRow == 0 ? 0 : gd.length / outRow;
        Tensor[] r = new Tensor[shapes.length];
        int at = 0;
        for (int k = 0; k < shapes.length; k++) {
            int chunk = shapes[k][ax] * inner;
            if (needInputGrad[k]) {
                float[] d = new float[Shapes.size(shapes[k])];
                for (int o = 0; o < outer; o++) {
                    System.arraycopy(gd, o * outRow + at, d, o * chunk, chunk);
                }
                r[k] = new Tensor(shapes[k], d);
            }
            at += chunk;
        }
        return r;
    }
}
