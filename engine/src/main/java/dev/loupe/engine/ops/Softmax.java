package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * {@code y_i = e^(x_i - max) / Σ_j e^(x_j - max)} along one axis. Backward:
 * {@code g_x = y·(g - Σ_j g_j·y_j)} along the same axis.
 *
 * <p>ONNX changed the meaning with opset 13. From 13 the default axis is -1 and the sum runs over
 * that axis only. Before 13 the default axis is 1 and the input is coerced to 2-D
 * {@code [d_0·…·d_(axis-1), d_axis·…·d_(n-1)]}, so the sum runs over all axes from {@code axis} on
 * ({@code legacy = true}). {@link Attributes} carries no opset, so the factory reads
 * {@link #OPSET_ATTRIBUTE} when the loader supplies it and otherwise assumes opset ≥ 13.
 */
public final class Softmax implements Op {
    /**
     * A pseudo-attribute (not an ONNX one) the loader may add with the model's opset so that
     * ops whose semantics changed between opsets can pick the right one.
     */
    public static final String OPSET_ATTRIBUTE = "loupe.opset";

    private final int axis;
    private final boolean legacy;

    /**
     * @param axis the softmax axis, negative counting from the end
     * @param legacy opset &lt; 13 semantics: flatten all axes from {@code axis} on into one
     */
    public Softmax(int axis, boolean legacy) {
        this.axis = axis;
        this.legacy = legacy;
    }

    /** Opset 13+ semantics. */
    public Softmax(int axis) {
        this(axis, false);
    }

    /** From ONNX attributes: {@code axis}, with the default and coercion chosen by {@link #OPSET_ATTRIBUTE}. */
    static Softmax fromAttributes(Attributes a) {
        boolean legacy = a.has(OPSET_ATTRIBUTE) && a.getLong(OPSET_ATTRIBUTE, 13) < 13;
        return new Softmax(a.getInt("axis", legacy ? 1 : -1), legacy);
    }

    public int axis() {
        return axis;
    }

    public boolean legacy() {
        return legacy;
    }

    @Override
    public String type() {
        return "Softmax";
    }

    /** {outer, n, inner}: the softmax runs over n elements spaced inner apart. */
    private int[] layout(int[] shape) {
        int ax = Shapes.axis(axis, Math.max(shape.length, 1), "Softmax");
        int outer = 1;
        int n = 1;
        int inner = 1;
        for (int d = 0; d < shape.length; d++) {
            if (d < ax) {
                outer *= shape[d];
            } else if (d == ax || legacy) {
                n *= shape[d];
            } else {
                inner *= shape[d];
            }
        }
        return new int[] {outer, n, inner};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] l = layout(x.shape());
        int n = l[1];
        int inner = l[2];
        float[] xd = x.data();
        float[] y = new float[xd.length];
        Parallel.forRange(l[0] * inner, Math.max(1, 4096 / Math.max(1, n)), (from, to) -> {
            for (int line = from; line < to; line++) {
                int base = (line / inner) * n * inner + line % inner;
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    m = Math.max(m, xd[base + j * inner]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    double e = Math.exp(xd[base + j * inner] - m);
                    y[base + j * inner] = (float) e;
                    sum += e;
                }
                float inv = (float) (1.0 / sum);
                for (int j = 0; j < n; j++) {
                    y[base + j * inner] *= inv;
                }
            }
        });
        Tensor out = new Tensor(x.shape(), y);
        saved.put(out);
        return new Tensor[] {out};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor yt = saved.tensor(0);
        float[] y = yt.data();
        float[] g = gradOutputs[0].data();
        int[] l = layout(yt.shape());
        int n = l[1];
        int inner = l[2];
        float[] r = new float[y.length];
        for (int line = 0; line < l[0] * inner; line++) {
            int base = (line / inner) * n * inner + line % inner;
            double dot = 0;
            for (int j = 0; j < n; j++) {
                dot += (double) g[base + j * inner] * y[base + j * inner];
            }
            for (int j = 0; j < n; j++) {
                int k = base + j * inner;
                r[k] = (float) (y[k] * (g[k] - dot));
            }
        }
        return new Tensor[] {new Tensor(yt.shape(), r)};
    }
}
