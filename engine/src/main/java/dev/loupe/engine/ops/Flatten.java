package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;

/**
 * Reshapes to 2-D {@code [d_0·…·d_(axis-1), d_axis·…·d_(n-1)]} (axis default 1, may be negative or
 * equal to the rank), sharing x's data. Backward reshapes the gradient back.
 */
public final class Flatten implements Op {
    private final int axis;

    public Flatten(int axis) {
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    @Override
    public String type() {
        return "Flatten";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int rank = x.rank();
        if (axis < -rank || axis > rank) {
            throw new ShapeMismatchException("Flatten: axis " + axis + " is out of range for rank " + rank
                    + " (valid: " + (-rank) + ".." + rank + ")");
        }
        int ax = axis < 0 ? axis + rank : axis;
        int outer = 1;
        for (int d = 0; d < ax; d++) {
            outer *= x.dim(d);
        }
        int inner = outer == 0 ? 0 : x.size() / outer;
        if (outer == 0) {
            inner = 1;
            for (int d = ax; d < rank; d++) {
                inner *= x.dim(d);
            }
        }
        saved.put((Object) x.shape());
        return new Tensor[] {x.reshape(outer, inner)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[] shape = saved.get(0);
        return new Tensor[] {gradOutputs[0].reshape(shape)};
    }
}
