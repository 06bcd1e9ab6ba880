package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import java.util.Arrays;

/**
 * ONNX LRN, local response normalisation across channels:
 * {@code y_c = x_c / d_c^beta} with {@code d_c = bias + alpha/size * sum x_j^2} over channels
 * {@code j} in {@code [c - floor((size-1)/2), c + ceil((size-1)/2)]} clipped to the channels.
 * The backward pass is the exact derivative, including the cross-channel terms.
 */
public final class LRN implements Op {
    private final float alpha;
    private final float beta;
    private final float bias;
    private final int size;

    public LRN(float alpha, float beta, float bias, int size) {
        if (size < 1) {
            throw new UnsupportedOpException("LRN size must be >= 1, got " + size);
        }
        this.alpha = alpha;
        this.beta = beta;
        this.bias = bias;
        this.size = size;
    }

    static LRN fromAttributes(Attributes a) {
        if (!a.has("size")) {
            throw new UnsupportedOpException("LRN needs the size attribute");
        }
        return new LRN(a.getFloat("alpha", 1e-4f), a.getFloat("beta", 0.75f), a.getFloat("bias", 1f), a.getInt("size", 1));
    }

    @Override
    public String type() {
        return "LRN";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] xs = x.shape();
        if (xs.length < 2) {
            throw new ShapeMismatchException("LRN expects [N, C, ...] (rank >= 2), got " + Arrays.toString(xs));
        }
        int n = xs[0];
        int c = xs[1];
        int inner = x.size() / Math.max(1, n * c);
        int lo = (size - 1) / 2;
        int hi = size - 1 - lo;
        float[] xd = x.data();
        float[] d = new float[xd.length];
        float[] y = new float[xd.length];
        float k = alpha / size;
        for (int img = 0; img < n; img++) {
            int base = img * c * inner;
            for (int ch = 0; ch < c; ch++) {
                int out = base + ch * inner;
                for (int j = Math.max(0, ch - lo); j <= Math.min(c - 1, ch + hi); j++) {
                    int src = base + j * inner;
                    for (int i = 0; i < inner; i++) {
                        d[out + i] += xd[src + i] * xd[src + i];
                    }
                }
                for (int i = out; i < out + inner; i++) {
                    d[i] = bias + k * d[i];
                    y[i] = (float) (xd[i] * Math.pow(d[i], -beta));
                }
            }
        }
        saved.put(x, d);
        return new Tensor[] {new Tensor(xs, y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor[] result = new Tensor[needInputGrad.length];
        if (!needInputGrad[0] || gradOutputs[0] == null) {
            return result;
        }
        Tensor x = saved.tensor(0);
        float[] d = saved.get(1);
        int[] xs = x.shape();
        int n = xs[0];
        int c = xs[1];
        int inner = x.size() / Math.max(1, n * c);
        int lo = (size - 1) / 2;
        int hi = size - 1 - lo;
        float[] xd = x.data();
        float[] g = gradOutputs[0].data();
        // t_c = g_c * x_c * d_c^(-beta-1); x_j appears in d_c for c in [j - hi, j + lo].
        float[] t = new float[xd.length];
        for (int i = 0; i < xd.length; i++) {
            t[i] = (float) (g[i] * xd[i] * Math.pow(d[i], -beta - 1));
        }
        float[] gx = new float[xd.length];
        float coeff = 2f * beta * alpha / size;
        for (int img = 0; img < n; img++) {
            int base = img * c * inner;
            for (int j = 0; j < c; j++) {
                int out = base + j * inner;
                for (int ch = Math.max(0, j - hi); ch <= Math.min(c - 1, j + lo); ch++) {
                    int src = base + ch * inner;
                    for (int i = 0; i < inner; i++) {
                        gx[out + i] += t[src + i];
                    }
                }
                for (int i = out; i < out + inner; i++) {
                    gx[i] = (float) (g[i] * Math.pow(d[i], -beta)) - coeff * xd[i] * gx[i];
                }
            }
        }
        result[0] = new Tensor(xs, gx);
        return result;
    }
}
