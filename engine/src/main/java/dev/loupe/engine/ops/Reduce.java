package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * {@code ReduceSum} and {@code ReduceMean} over a set of axes: {@code y = Σ x} (or the mean) over
 * the axes, which are kept as size 1 when {@code keepdims} (default true). The axes come from
 * input 1 when present (ReduceSum from opset 13, ReduceMean from 18), else from the constructor
 * (the attribute form); with no axes at all every axis is reduced, unless
 * {@code noop_with_empty_axes} is set, in which case the op is the identity.
 *
 * <p>Backward broadcasts the gradient back over the reduced axes (divided by the number of
 * reduced elements for the mean); the axes input is not differentiable.
 */
public final class Reduce implements Op {
    /** The reduction. */
    public enum Kind {
        SUM("ReduceSum"), MEAN("ReduceMean");

        final String onnx;

        Kind(String onnx) {
            this.onnx = onnx;
        }
    }

    private final Kind kind;
    private final int[] axes;
    private final boolean keepDims;
    private final boolean noopWithEmptyAxes;

    /** @param axes the attribute form, or null to read input 1 (or reduce all) */
    public Reduce(Kind kind, int[] axes, boolean keepDims, boolean noopWithEmptyAxes) {
        this.kind = kind;
        this.axes = axes == null ? null : axes.clone();
        this.keepDims = keepDims;
        this.noopWithEmptyAxes = noopWithEmptyAxes;
    }

    static Reduce fromAttributes(Kind kind, Attributes a) {
        return new Reduce(kind, a.getInts("axes", null), a.getLong("keepdims", 1) != 0,
                a.getLong("noop_with_empty_axes", 0) != 0);
    }

    @Override
    public String type() {
        return kind.onnx;
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex == 0;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] in = x.shape();
        int[] ax = inputs.length > 1 && inputs[1] != null ? Shapes.ints(inputs[1]) : axes;
        boolean[] reduced = new boolean[in.length];
        if (ax == null || ax.length == 0) {
            if (noopWithEmptyAxes) {
                saved.put(in, in, 1f);
                return new Tensor[] {x.reshape(in)};
            }
            java.util.Arrays.fill(reduced, true);
        } else {
            for (int d : Shapes.axes(ax, in.length, kind.onnx)) {
                reduced[d] = true;
            }
        }
        int[] kept = in.clone();
        long count = 1;
        int outRank = 0;
        for (int d = 0; d < in.length; d++) {
            if (reduced[d]) {
                count *= in[d];
                kept[d] = 1;
            } else {
                outRank++;
            }
        }
        int[] out = kept;
        if (!keepDims) {
            out = new int[outRank];
            for (int d = 0, k = 0; d < in.length; d++) {
                if (!reduced[d]) {
                    out[k++] = in[d];
                }
            }
        }
        Tensor s = Shapes.sumTo(x, kept);
        float scale = kind == Kind.MEAN ? (float) (1.0 / count) : 1f;
        float[] y = s == x ? x.data().clone() : s.data();
        if (scale != 1f) {
            for (int i = 0; i < y.length; i++) {
                y[i] *= scale;
            }
        }
        saved.put(in, kept, scale);
        return new Tensor[] {new Tensor(out, y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[] in = saved.get(0);
        int[] kept = saved.get(1);
        float scale = saved.get(2);
        Tensor g = gradOutputs[0].reshape(kept);
        if (scale != 1f) {
            float[] d = g.data().clone();
            for (int i = 0; i < d.length; i++) {
                d[i] *= scale;
            }
            g = new Tensor(kept, d);
        }
        Tensor r = Shapes.expand(g, in);
        return new Tensor[] {r == g ? g.reshape(in) : r, null};
    }
}
