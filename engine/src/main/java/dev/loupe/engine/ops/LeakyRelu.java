package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * {@code y = x} for {@code x >= 0}, {@code alpha·x} otherwise (ONNX default alpha 0.01).
 * Backward multiplies the gradient by 1 or alpha according to the sign of x (alpha at exactly 0,
 * like PyTorch).
 */
public final class LeakyRelu implements Op {
    private final float alpha;

    public LeakyRelu(float alpha) {
        this.alpha = alpha;
    }

    public float alpha() {
        return alpha;
    }

    @Override
    public String type() {
        return "LeakyRelu";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        float[] xd = x.data();
        float[] y = new float[xd.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = xd[i] >= 0f ? xd[i] : alpha * xd[i];
        }
        saved.put(x);
        return new Tensor[] {new Tensor(x.shape(), y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        float[] x = saved.tensor(0).data();
        Tensor g = gradOutputs[0];
        float[] gd = g.data();
        float[] r = new float[gd.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = x[i] > 0f ? gd[i] : alpha * gd[i];
        }
        return new Tensor[] {new Tensor(g.shape(), r)};
    }
}
