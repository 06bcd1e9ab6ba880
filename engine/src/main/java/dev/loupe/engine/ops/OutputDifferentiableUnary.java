package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * An element-wise op whose derivative is a function of its output (exp, tanh, sigmoid, sqrt):
 * forward saves {@code y}, backward returns {@code g · f'(y)}. Subclasses give the two formulas
 * side by side.
 */
abstract class OutputDifferentiableUnary implements Op {
    /** {@code y = f(x)}. */
    abstract float apply(float x);

    /** {@code dy/dx} expressed through {@code y}. */
    abstract float slope(float y);

    @Override
    public final Tensor[] forward(Tensor[] inputs, Saved saved) {
        float[] x = inputs[0].data();
        float[] y = new float[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = apply(x[i]);
        }
        Tensor out = new Tensor(inputs[0].shape(), y);
        saved.put(out);
        return new Tensor[] {out};
    }

    @Override
    public final Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        float[] y = saved.tensor(0).data();
        Tensor g = gradOutputs[0];
        float[] gd = g.data();
        float[] r = new float[gd.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = gd[i] * slope(y[i]);
        }
        return new Tensor[] {new Tensor(g.shape(), r)};
    }
}
