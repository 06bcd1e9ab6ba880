package dev.loupe.explain.embedding;

import dev.loupe.engine.Parallel;
import dev.loupe.engine.kernels.Gemm;
import java.util.Random;

/**
 * Principal components by subspace (block power) iteration: the top {@code k} eigenvectors of the
 * covariance, found by repeatedly multiplying a random orthonormal basis by the covariance and
 * re-orthonormalising it. For up to 2048 dimensions the covariance is formed once (one GEMM);
 * beyond, it is applied implicitly as {@code Xᵀ(X·V)}.
 */
public final class Pca {
    private final float[] mean;
    private final double[] components;
    private final int d;
    private final int k;

    private Pca(float[] mean, double[] components, int d, int k) {
        this.mean = mean;
        this.components = components;
        this.d = d;
        this.k = k;
    }

    /** Fits {@code k} components to {@code n × d} rows ({@code iterations} of subspace iteration). */
    public static Pca fit(float[] data, int n, int d, int k, int iterations, long seed) {
        if (k > d) {
            throw new IllegalArgumentException(k + " components of " + d + " dimensions");
        }
        float[] mean = new float[d];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < d; t++) {
                mean[t] += data[i * d + t];
            }
        }
        for (int t = 0; t < d; t++) {
            mean[t] /= n;
        }
        float[] centered = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < d; t++) {
                centered[i * d + t] = data[i * d + t] - mean[t];
            }
        }
        float[] cov = null;
        if (d <= 2048) {
            cov = new float[d * d];
            Gemm.sgemm(true, false, d, d, n, 1f / n, centered, 0, d, centered, 0, d, 0f, cov, 0, d);
        }
        Random rnd = new Random(seed);
        double[] v = new double[d * k];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        orthonormalize(v, d, k);
        float[] vf = new float[d * k];
        float[] xv = cov == null ? new float[n * k] : null;
        float[] w = new float[d * k];
        for (int it = 0; it < iterations; it++) {
            for (int i = 0; i < v.length; i++) {
                vf[i] = (float) v[i];
            }
            if (cov != null) {
                Gemm.sgemm(false, false, d, k, d, 1f, cov, 0, d, vf, 0, k, 0f, w, 0, k);
            } else {
                Gemm.sgemm(false, false, n, k, d, 1f, centered, 0, d, vf, 0, k, 0f, xv, 0, k);
                Gemm.sgemm(true, false, d, k, n, 1f / n, centered, 0, d, xv, 0, k, 0f, w, 0, k);
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = w[i];
            }
            orthonormalize(v, d, k);
        }
        // A sign convention, so results do not flip between runs: the largest entry of each component is positive.
        for (int c = 0; c < k; c++) {
            int arg = 0;
            for (int t = 1; t < d; t++) {
                if (Math.abs(v[t * k + c]) > Math.abs(v[arg * k + c])) {
                    arg = t;
                }
            }
            if (v[arg * k + c] < 0) {
                for (int t = 0; t < d; t++) {
                    v[t * k + c] = -v[t * k + c];
                }
            }
        }
        return new Pca(mean, v, d, k);
    }

    /** Modified Gram–Schmidt on the k columns of a d × k row-major matrix. */
    private static void orthonormalize(double[] v, int d, int k) {
        for (int c = 0; c < k; c++) {
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int t = 0; t < d; t++) {
                    dot += v[t * k + c] * v[t * k + p];
                }
                for (int t = 0; t < d; t++) {
                    v[t * k + c] -= dot * v[t * k + p];
                }
            }
            double norm = 0;
            for (int t = 0; t < d; t++) {
                norm += v[t * k + c] * v[t * k + c];
            }
            norm = Math.sqrt(norm);
            for (int t = 0; t < d; t++) {
                v[t * k + c] = norm > 0 ? v[t * k + c] / norm : (t == c ? 1 : 0);
            }
        }
    }

    /** The {@code n × k} projection of rows of {@code d} dimensions onto the components. */
    public float[] transform(float[] data, int n) {
        float[] out = new float[n * k];
        Parallel.forRange(n, 64, (from, to) -> {
            double[] row = new double[d];
            for (int i = from; i < to; i++) {
                for (int t = 0; t < d; t++) {
                    row[t] = data[i * d + t] - mean[t];
                }
                for (int c = 0; c < k; c++) {
                    double s = 0;
                    for (int t = 0; t < d; t++) {
                        s += row[t] * components[t * k + c];
                    }
                    out[i * k + c] = (float) s;
                }
            }
        });
        return out;
    }

    /** Component c as a unit vector of d values. */
    public double[] component(int c) {
        double[] out = new double[d];
        for (int t = 0; t < d; t++) {
            out[t] = components[t * k + c];
        }
        return out;
    }
}
