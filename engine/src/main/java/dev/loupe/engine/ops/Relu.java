package dev.loupe.engine.ops;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.Masks;

/**
 * {@code y = max(x, 0)}. Saves its output: {@code y > 0} exactly where {@code x > 0}, which is all
 * the gradient, DeconvNet and guided rules need.
 */
public final class Relu implements Op {
    @Override
    public String type() {
        return "Relu";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        float[] x = inputs[0].data();
        float[] y = Buffers.output(x.length);
        Masks.rectify(x, y);
        Tensor out = new Tensor(inputs[0].shape(), y);
        saved.put(out);
        return new Tensor[] {out};
    }

    /** {@code y[i] = max(y[i], 0)}, as {@link #forward} computes it. y modified. */
    public static void inPlace(float[] y) {
        Masks.rectify(y, y);
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor y = saved.tensor(0);
        Tensor g = gradOutputs[0];
        float[] out = Buffers.output(g.size());
        maskPositive(y.data(), g.data(), out);
        return new Tensor[] {new Tensor(g.shape(), out)};
    }

    /** {@code out[i] = y[i] > 0 ? g[i] : 0}. y and g not modified; out modified. */
    public static void maskPositive(float[] y, float[] g, float[] out) {
        Masks.wherePositive(y, g, out);
    }
}
