package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * {@code y = √x} (NaN for negative x, as ONNX). Backward: {@code g / (2y)}, from the saved output;
 * infinite at {@code x = 0} like PyTorch.
 */
public final class Sqrt implements Op {
    @Override
    public String type() {
        return "Sqrt";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        float[] x = inputs[0].data();
        float[] y = new float[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) Math.sqrt(x[i]);
        }
        Tensor out = new Tensor(inputs[0].shape(), y);
        saved.put(out);
        return new Tensor[] {out};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        float[] y = saved.tensor(0).data();
        Tensor g = gradOutputs[0];
        float[] gd = g.data();
        float[] r = new float[gd.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = gd[i] / (2f * y[i]);
        }
        return new Tensor[] {new Tensor(g.shape(), r)};
    }
}
