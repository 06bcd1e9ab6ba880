package dev.loupe.explain.testing;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * Naive reference ops for hand-built test graphs, so the explain tests do not wait for the real
 * kernels: a stride-1 convolution with symmetric zero padding (weights and bias fixed in the op),
 * global average pooling, a dense layer on flattened input, and tanh (for a smooth model).
 * Each returns the input gradient only.
 */
public final class TestOps {
    private TestOps() {
    }

    /** y = conv(x, w) + b, w [M, C, k, k], padding p, stride 1. */
    public record Conv(Tensor w, float[] bias, int pad) implements Op {
        @Override
        public String type() {
            return "Conv";
        }

        @Override
        public Tensor[] forward(Tensor[] in, Saved saved) {
            Tensor x = in[0];
            int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
            int m = w.dim(0), k = w.dim(2);
            int oh = h + 2 * pad - k + 1, ow = wd + 2 * pad - k + 1;
            float[] y = new float[n * m * oh * ow];
            for (int b = 0; b < n; b++) {
                for (int o = 0; o < m; o++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            double s = bias[o];
                            for (int ch = 0; ch < c; ch++) {
                                for (int di = 0; di < k; di++) {
                                    for (int dj = 0; dj < k; dj++) {
                                        int yi = i + di - pad, xj = j + dj - pad;
                                        if (yi >= 0 && yi < h && xj >= 0 && xj < wd) {
                                            s += w.get(o, ch, di, dj) * x.get(b, ch, yi, xj);
                                        }
                                    }
                                }
                            }
                            y[((b * m + o) * oh + i) * ow + j] = (float) s;
                        }
                    }
                }
            }
            saved.put(x);
            return new Tensor[] {new Tensor(new int[] {n, m, oh, ow}, y)};
        }

        @Override
        public Tensor[] backward(Saved saved, Tensor[] g, boolean[] need) {
            Tensor x = saved.tensor(0);
            Tensor gy = g[0];
            int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
            int m = w.dim(0), k = w.dim(2);
            int oh = gy.dim(2), ow = gy.dim(3);
            Tensor gx = Tensor.zeros(x.shape());
            for (int b = 0; b < n; b++) {
                for (int o = 0; o < m; o++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            float go = gy.get(b, o, i, j);
                            for (int ch = 0; ch < c; ch++) {
                                for (int di = 0; di < k; di++) {
                                    for (int dj = 0; dj < k; dj++) {
                                        int yi = i + di - pad, xj = j + dj - pad;
                                        if (yi >= 0 && yi < h && xj >= 0 && xj < wd) {
                                            int idx = ((b * c + ch) * h + yi) * wd + xj;
                                            gx.data()[idx] += go * w.get(o, ch, di, dj);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return new Tensor[] {gx};
        }
    }

    /** [N, C, H, W] -> [N, C, 1, 1] mean. */
    public static final class GlobalAveragePool implements Op {
        @Override
        public String type() {
            return "GlobalAveragePool";
        }

        @Override
        public Tensor[] forward(Tensor[] in, Saved saved) {
            Tensor x = in[0];
            int nc = x.dim(0) * x.dim(1), hw = x.dim(2) * x.dim(3);
            float[] y = new float[nc];
            for (int p = 0; p < nc; p++) {
                double s = 0;
                for (int i = 0; i < hw; i++) {
                    s += x.data()[p * hw + i];
                }
                y[p] = (float) (s / hw);
            }
            saved.put(x);
            return new Tensor[] {new Tensor(new int[] {x.dim(0), x.dim(1), 1, 1}, y)};
        }

        @Override
        public Tensor[] backward(Saved saved, Tensor[] g, boolean[] need) {
            Tensor x = saved.tensor(0);
            int nc = x.dim(0) * x.dim(1), hw = x.dim(2) * x.dim(3);
            float[] gx = new float[x.size()];
            for (int p = 0; p < nc; p++) {
                for (int i = 0; i < hw; i++) {
                    gx[p * hw + i] = g[0].data()[p] / hw;
                }
            }
            return new Tensor[] {new Tensor(x.shape(), gx)};
        }
    }

    /** y = flatten(x) · wᵀ + b, w [K, F]. */
    public record Dense(Tensor w, float[] bias) implements Op {
        @Override
        public String type() {
            return "Gemm";
        }

        @Override
        public Tensor[] forward(Tensor[] in, Saved saved) {
            Tensor x = in[0];
            int n = x.dim(0), f = x.size() / n, k = w.dim(0);
            float[] y = new float[n * k];
            for (int b = 0; b < n; b++) {
                for (int o = 0; o < k; o++) {
                    double s = bias[o];
                    for (int i = 0; i < f; i++) {
                        s += w.data()[o * f + i] * x.data()[b * f + i];
                    }
                    y[b * k + o] = (float) s;
                }
            }
            saved.put(x);
            return new Tensor[] {new Tensor(new int[] {n, k}, y)};
        }

        @Override
        public Tensor[] backward(Saved saved, Tensor[] g, boolean[] need) {
            Tensor x = saved.tensor(0);
            int n = x.dim(0), f = x.size() / n, k = w.dim(0);
            float[] gx = new float[x.size()];
            for (int b = 0; b < n; b++) {
                for (int o = 0; o < k; o++) {
                    float go = g[0].data()[b * k + o];
                    for (int i = 0; i < f; i++) {
                        gx[b * f + i] += go * w.data()[o * f + i];
                    }
                }
            }
            return new Tensor[] {new Tensor(x.shape(), gx)};
        }
    }

    /** y = tanh(x). */
    public static final class Tanh implements Op {
        @Override
        public String type() {
            return "Tanh";
        }

        @Override
        public Tensor[] forward(Tensor[] in, Saved saved) {
            float[] y = new float[in[0].size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) Math.tanh(in[0].data()[i]);
            }
            Tensor out = new Tensor(in[0].shape(), y);
            saved.put(out);
            return new Tensor[] {out};
        }

        @Override
        public Tensor[] backward(Saved saved, Tensor[] g, boolean[] need) {
            float[] y = saved.tensor(0).data();
            float[] gx = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                gx[i] = g[0].data()[i] * (1 - y[i] * y[i]);
            }
            return new Tensor[] {new Tensor(g[0].shape(), gx)};
        }
    }
}
