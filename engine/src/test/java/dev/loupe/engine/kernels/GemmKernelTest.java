package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GemmKernelTest {
    /** C = alpha op(A) op(B) + beta C in double, straight from the definition. */
    private static double[] naive(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
            float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        double[] r = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                r[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * c[cOff + i * ldc + j]);
            }
        }
        return r;
    }

    private static float[] random(Random rnd, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }

    @Test
    void matchesDefinitionForAllTransposesOffsetsAndStrides() {
        Random rnd = new Random(7);
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {1, 1000, 13}, {70, 300, 270}, {33, 257, 129}, {5, 3, 0}};
        for (int[] s : sizes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (int flags = 0; flags < 4; flags++) {
                boolean ta = (flags & 1) != 0;
                boolean tb = (flags & 2) != 0;
                // Leading dimensions larger than the matrix and nonzero offsets, as im2col/conv use them.
                int lda = (ta ? m : k) + 2;
                int ldb = (tb ? k : n) + 3;
                int ldc = n + 1;
                int aOff = 5;
                int bOff = 2;
                int cOff = 4;
                float[] a = random(rnd, aOff + (ta ? k : m) * lda);
                float[] b = random(rnd, bOff + (tb ? n : k) * ldb);
                float[] c = random(rnd, cOff + m * ldc);
                float alpha = 0.75f;
                float beta = flags == 3 ? 0f : 0.5f;
                double[] want = naive(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                float[] before = c.clone();
                Gemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        assertEquals(want[i * n + j], c[cOff + i * ldc + j], 1e-4 * Math.max(1, k),
                                "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " at " + i + "," + j);
                    }
                    // Padding columns beyond n belong to someone else and must be untouched.
                    if (ldc > n) {
                        assertEquals(before[cOff + i * ldc + n], c[cOff + i * ldc + n]);
                    }
                }
            }
        }
    }

    @Test
    void betaZeroIgnoresNaNInOutput() {
        float[] c = {Float.NaN, Float.NaN};
        Gemm.sgemm(false, false, 1, 2, 1, 1f, new float[] {2}, 0, 1, new float[] {3, 4}, 0, 2, 0f, c, 0, 2);
        assertEquals(6f, c[0]);
        assertEquals(8f, c[1]);
    }
}
