package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;

/**
 * Removes axes of size 1, sharing x's data: the given axes (attribute up to opset 12, optional
 * input 1 from opset 13; negative counts from the end) or, when none are given, every axis of
 * size 1. Backward reshapes the gradient back; the axes input is not differentiable.
 */
public final class Squeeze implements Op {
    private final int[] axes;

    /** @param axes the attribute form (opset ≤ 12), or null to read input 1 or squeeze all unit axes */
    public Squeeze(int[] axes) {
        this.axes = axes == null ? null : axes.clone();
    }

    @Override
    public String type() {
        return "Squeeze";
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
        boolean[] drop = new boolean[in.length];
        if (ax == null) {
            for (int d = 0; d < in.length; d++) {
                drop[d] = in[d] == 1;
            }
        } else {
            for (int d : Shapes.axes(ax, in.length, "Squeeze")) {
                if (in[d] != 1) {
                    throw new ShapeMismatchException("Squeeze axis " + d + " of " + Shapes.str(in) + ": size " + in[d]
                            + ", expected 1");
                }
                drop[d] = true;
            }
        }
        int kept = 0;
        for (boolean b : drop) {
            kept += b ? 0 : 1;
        }
        int[] out = new int[kept];
        for (int d = 0, k = 0; d < in.length; d++) {
            if (!drop[d]) {
                out[k++] = in[d];
            }
        }
        saved.put((Object) in);
        return new Tensor[] {x.reshape(out)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[] shape = saved.get(0);
        return new Tensor[] {gradOutputs[0].reshape(shape), null};
    }
}
