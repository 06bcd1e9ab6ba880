package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * {@code [start, start + delta, …]} up to but excluding {@code limit}, from three scalar inputs:
 * {@code max(ceil((limit - start) / delta), 0)} elements. Not differentiable.
 */
public final class Range implements Op {
    @Override
    public String type() {
        return "Range";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return false;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        double start = scalar(inputs[0], "start");
        double limit = scalar(inputs[1], "limit");
        double delta = scalar(inputs[2], "delta");
        if (delta == 0) {
            throw new IllegalArgumentException("Range: delta is 0");
        }
        double count = Math.max(Math.ceil((limit - start) / delta), 0);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Range: " + count + " elements is too many");
        }
        float[] d = new float[(int) count];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (start + i * delta);
        }
        return new Tensor[] {Tensor.of(d, d.length)};
    }

    private static double scalar(Tensor t, String name) {
        if (t.size() != 1) {
            throw new dev.loupe.engine.ShapeMismatchException("Range: " + name + " must be a scalar but has shape "
                    + Shapes.str(t.shape()));
        }
        return t.data()[0];
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        return new Tensor[needInputGrad.length];
    }
}
