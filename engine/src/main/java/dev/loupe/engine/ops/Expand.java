package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * Broadcasts x against the shape read from input 1. The result has the numpy broadcast of both
 * shapes, so a 1 in the requested shape keeps x's dimension. Backward sums the gradient over the
 * broadcast axes; the shape input is not differentiable.
 */
public final class Expand implements Op {
    @Override
    public String type() {
        return "Expand";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex == 0;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] out = Shapes.broadcast(x.shape(), Shapes.ints(inputs[1]));
        saved.put((Object) x.shape());
        Tensor y = Shapes.expand(x, out);
        return new Tensor[] {y == x ? x.reshape(out) : y};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[] shape = saved.get(0);
        return new Tensor[] {Shapes.sumTo(gradOutputs[0], shape), null};
    }
}
