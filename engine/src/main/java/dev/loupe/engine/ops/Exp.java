package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/** {@code y = e^x}. Backward: {@code g·y}, from the saved output. */
public final class Exp implements Op {
    @Override
    public String type() {
        return "Exp";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        float[] x = inputs[0].data();
        float[] y = new float[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) Math.exp(x[i]);
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
            r[i] = gd[i] * y[i];
        }
        return new Tensor[] {new Tensor(g.shape(), r)};
    }
}
