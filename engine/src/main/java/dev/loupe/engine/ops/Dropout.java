package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import java.util.Arrays;

/**
 * Dropout at inference: {@code y = x} (a view of x's data) and the optional second output, the
 * mask, all ones (true). The {@code ratio} and {@code training_mode} inputs (opset 12+) are read
 * by nobody: explanations always run the model in inference mode. Backward passes g through to x;
 * ratio and training_mode are not differentiable.
 */
public final class Dropout implements Op {
    @Override
    public String type() {
        return "Dropout";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex == 0;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        float[] mask = new float[x.size()];
        Arrays.fill(mask, 1f);
        saved.put(inputs.length);
        return new Tensor[] {x.reshape(x.shape()), new Tensor(x.shape(), mask)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor[] r = new Tensor[needInputGrad.length];
        r[0] = gradOutputs[0];
        return r;
    }
}
