package dev.loupe.explain.embedding;

import dev.loupe.engine.Parallel;
import dev.loupe.engine.kernels.Gemm;

/**
 * Squared Euclidean distances between rows in blocks, through the engine's GEMM:
 * {@code |a−b|² = |a|² + |b|² − 2a·b} (clamped at 0). Fast, and exact enough to rank neighbours;
 * {@link ExactIndex} subtracts coordinates instead when exact distances matter.
 */
final class Distances {
    static final int BLOCK = 256;

    private Distances() {
    }

    static float[] squaredNorms(float[] data, int n, int d) {
        float[] norms = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int t = 0; t < d; t++) {
                float v = data[i * d + t];
                s += v * v;
            }
            norms[i] = (float) s;
        }
        return norms;
    }

    /** Rows {@code [from, from+rows)} against all n rows: {@code out[r*n + j]}. */
    static void block(float[] data, int n, int d, float[] norms, int from, int rows, float[] out) {
        Gemm.sgemm(false, true, rows, n, d, -2f, data, from * d, d, data, 0, d, 0f, out, 0, n);
        for (int r = 0; r < rows; r++) {
            float ni = norms[from + r];
            int o = r * n;
            for (int j = 0; j < n; j++) {
                float v = out[o + j] + ni + norms[j];
                out[o + j] = v > 0f ? v : 0f;
            }
            out[o + from + r] = 0f;
        }
    }

    /** Visits every row's distances to all rows, a block of rows at a time; blocks run in parallel. */
    interface RowVisitor {
        void visit(int row, float[] dist, int offset);
    }

    static void forEachRow(float[] data, int n, int d, RowVisitor visitor) {
        float[] norms = squaredNorms(data, n, d);
        int blocks = (n + BLOCK - 1) / BLOCK;
        Parallel.forRange(blocks, 1, (bf, bt) -> {
            float[] buf = new float[BLOCK * n];
            for (int b = bf; b < bt; b++) {
                int from = b * BLOCK;
                int rows = Math.min(BLOCK, n - from);
                block(data, n, d, norms, from, rows, buf);
                for (int r = 0; r < rows; r++) {
                    visitor.visit(from + r, buf, r * n);
                }
            }
        });
    }

    /** The k nearest other rows of every row (squared distances), nearest first. */
    static void allKnn(float[] data, int n, int d, int k, int[] idx, double[] dist2) {
        if (k > n - 1) {
            throw new IllegalArgumentException(k + " neighbours asked of a set of " + n + " points");
        }
        forEachRow(data, n, d, (row, dist, off) -> {
            int base = row * k;
            int filled = 0;
            double worst = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j == row) {
                    continue;
                }
                float s = dist[off + j];
                if (filled < k || s < worst) {
                    int p = filled < k ? filled++ : k - 1;
                    while (p > 0 && dist2[base + p - 1] > s) {
                        dist2[base + p] = dist2[base + p - 1];
                        idx[base + p] = idx[base + p - 1];
                        p--;
                    }
                    dist2[base + p] = s;
                    idx[base + p] = j;
                    worst = dist2[base + filled - 1];
                }
            }
        });
    }
}
