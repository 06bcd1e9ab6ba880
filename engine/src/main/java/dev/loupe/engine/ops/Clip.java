package dev.loupe.engine.ops;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * {@code y = min(max(x, min), max)}. The bounds come from the optional inputs 1 and 2 (opset 11+)
 * when present, else from the constructor (the {@code min}/{@code max} attributes of opset ≤ 10),
 * else are unbounded.
 *
 * <p>Backward passes the gradient only where {@code min < x < max} strictly, matching PyTorch's
 * hardtanh/ReLU6 backward (0 at the bounds themselves). The bounds get no gradient.
 */
public final class Clip implements Op {
    private final float min;
    private final float max;

    /** Bounds used when the inputs do not give them; pass ±infinity for "none". */
    public Clip(float min, float max) {
        this.min = min;
        this.max = max;
    }

    public Clip() {
        this(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    @Override
    public String type() {
        return "Clip";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex == 0;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        float lo = bound(inputs, 1, min);
        float hi = bound(inputs, 2, max);
        float[] xd = x.data();
        float[] y = Buffers.output(xd.length);
        for (int i = 0; i < y.length; i++) {
            // max-then-min as ONNX specifies, so min > max gives max everywhere.
            y[i] = Math.min(Math.max(xd[i], lo), hi);
        }
        saved.put(x, lo, hi, inputs.length);
        return new Tensor[] {new Tensor(x.shape(), y)};
    }

    private static float bound(Tensor[] inputs, int i, float fallback) {
        if (inputs.length <= i || inputs[i] == null) {
            return fallback;
        }
        if (inputs[i].size() != 1) {
            throw new dev.loupe.engine.ShapeMismatchException("Clip: " + (i == 1 ? "min" : "max")
                    + " must be a scalar but has shape " + Shapes.str(inputs[i].shape()));
        }
        return inputs[i].data()[0];
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        float[] x = saved.tensor(0).data();
        float lo = saved.get(1);
        float hi = saved.get(2);
        int n = saved.get(3);
        Tensor g = gradOutputs[0];
        float[] gd = g.data();
        float[] r = new float[gd.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = x[i] > lo && x[i] < hi ? gd[i] : 0f;
        }
        Tensor[] out = new Tensor[n];
        out[0] = new Tensor(g.shape(), r);
        return out;
    }
}
