package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * Inserts axes of size 1 at the given positions of the output (attribute up to opset 12, input 1
 * from opset 13; negative counts from the end of the output rank), sharing x's data. Backward
 * reshapes the gradient back; the axes input is not differentiable.
 */
public final class Unsqueeze implements Op {
    private final int[] axes;

    /** @param axes the attribute form (opset ≤ 12), or null to read input 1 */
    public Unsqueeze(int[] axes) {
        this.axes = axes == null ? null : axes.clone();
    }

    @Override
    public String type() {
        return "Unsqueeze";
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
        if (ax == null) {
            throw new IllegalArgumentException("Unsqueeze needs axes, as attribute (opset ≤ 12) or as input 2 (opset 13+)");
        }
        int rank = in.length + ax.length;
        boolean[] inserted = new boolean[rank];
        for (int d : Shapes.axes(ax, rank, "Unsqueeze")) {
            inserted[d] = true;
        }
        int[] out = new int[rank];
        for (int d = 0, k = 0; d < rank; d++) {
            out[d] = inserted[d] ? 1 : in[k++];
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
