package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import java.util.Arrays;

/**
 * A tensor of the shape read from input 0, every element equal to the one-element {@code value}
 * attribute (default 0). Not differentiable.
 */
public final class ConstantOfShape implements Op {
    private final float value;

    public ConstantOfShape(float value) {
        this.value = value;
    }

    static ConstantOfShape fromAttributes(Attributes a) {
        Tensor v = a.getTensor("value");
        if (v != null && v.size() != 1) {
            throw new IllegalArgumentException("ConstantOfShape: value must hold one element, has shape " + Shapes.str(v.shape()));
        }
        return new ConstantOfShape(v == null ? 0f : v.data()[0]);
    }

    @Override
    public String type() {
        return "ConstantOfShape";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return false;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        int[] shape = Shapes.ints(inputs[0]);
        for (int d : shape) {
            if (d < 0) {
                throw new dev.loupe.engine.ShapeMismatchException("ConstantOfShape: negative dimension in " + Shapes.str(shape));
            }
        }
        float[] d = new float[Shapes.size(shape)];
        Arrays.fill(d, value);
        return new Tensor[] {new Tensor(shape, d)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        return new Tensor[needInputGrad.length];
    }
}
