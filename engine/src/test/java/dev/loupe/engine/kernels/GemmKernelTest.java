package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {1, 1000, 13}, {70, 300, 270}, {33, 257, 129}, {5, 3, 0}, {130, 600, 40}, {8, 32, 513},
            {2, 700, 300}, {4, 33, 1031}};
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
                assertMatches(want, before, c, m, n, k, cOff, ldc, "dispatch ta=" + ta + " tb=" + tb);
                // The plain path is the fallback without the Vector API: check it on the same case.
                float[] plain = before.clone();
                Gemm.scale(m, n, beta, plain, cOff, ldc);
                if (k > 0) {
                    Gemm.plain(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, plain, cOff, ldc);
                }
                assertMatches(want, before, plain, m, n, k, cOff, ldc, "plain ta=" + ta + " tb=" + tb);
            }
        }
    }

    @Test
    void packedSourceGivesTheSameProductAsTheStoredMatrix() {
        Random rnd = new Random(9);
        // Shapes around the register tile (4 x 16), the K slab (256) and the column block (256);
        // a narrow B is packed whole up to 256 x 256 floats (16 x 4096 is, 16 x 4097 is not).
        int[][] sizes = {{4, 16, 256}, {5, 17, 257}, {64, 300, 600}, {3, 1, 9}, {130, 520, 31}, {1, 1000, 512},
            {7, 16, 4096}, {7, 16, 4097}, {9, 40, 700}};
        for (int[] s : sizes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            int lda = k + 1;
            float[] a = random(rnd, 2 + m * lda);
            float[] b = random(rnd, k * n);
            float[] c = new float[3 + m * (n + 2)];
            java.util.Arrays.fill(c, Float.NaN);
            Gemm.PanelSource source = (p0, kc, j0, j1, nr, dst) -> {
                int panels = (j1 - j0 + nr - 1) / nr;
                for (int t = 0; t < panels; t++) {
                    for (int p = 0; p < kc; p++) {
                        for (int q = 0; q < nr; q++) {
                            int j = j0 + t * nr + q;
                            dst[t * nr * kc + p * nr + q] = j < j1 ? b[(p0 + p) * n + j] : 0f;
                        }
                    }
                }
            };
            Gemm.sgemmConstantA(m, n, k, a, 2, lda, source, c, 3, n + 2);
            double[] want = naive(false, false, m, n, k, 1f, a, 2, lda, b, 0, n, 0f, c, 3, n + 2);
            assertMatches(want, c, c, m, n, k, 3, n + 2, "packed source (old C is NaN, must be ignored)");
        }
    }

    @Test
    void rowBiasAndReluAreAppliedAsTheProductIsStored() {
        Random rnd = new Random(13);
        // Edge tiles (m, n not multiples of 4 x 16), several K slabs (k > 256, so the bias must join
        // once and the ReLU only after the last slab), a narrow B packed whole, and a small product
        // under the kernel's threshold (plain path).
        int[][] sizes = {{4, 16, 256}, {5, 17, 257}, {64, 300, 600}, {130, 520, 31}, {7, 16, 4096}, {3, 5, 7}, {66, 784, 64}};
        for (int[] s : sizes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            float[] a = random(rnd, 1 + m * k);
            float[] b = random(rnd, k * n);
            // A NaN in B poisons one column: the ReLU must keep it (max as Math.max), as the unfused op does.
            b[(k / 2) * n + n / 2] = Float.NaN;
            float[] bias = random(rnd, 2 + m);
            for (boolean relu : new boolean[] {false, true}) {
                float[] c = new float[m * n];
                java.util.Arrays.fill(c, Float.NaN);
                Gemm.sgemmConstantA(m, n, k, a, 1, k, Gemm.storedB(b, 0, n), c, 0, n, bias, 2, relu);
                double[] product = naive(false, false, m, n, k, 1f, a, 1, k, b, 0, n, 0f, c, 0, n);
                int clamped = 0;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want = product[i * n + j] + bias[2 + i];
                        if (relu && want < 0) {
                            want = 0;
                            clamped++;
                        }
                        float got = c[i * n + j];
                        if (Double.isNaN(want)) {
                            assertTrue(Float.isNaN(got), "NaN kept at " + i + "," + j + " relu=" + relu);
                        } else {
                            assertEquals(want, got, 1e-4 * Math.max(1, k), "m=" + m + " n=" + n + " k=" + k + " relu=" + relu + " at " + i + "," + j);
                        }
                    }
                }
                assertTrue(!relu || clamped > m * n / 4, "ReLU clamped " + clamped + " of " + m * n);
            }
            // Without bias or ReLU the fused entry point is the plain product.
            float[] c = new float[m * n];
            Gemm.sgemmConstantA(m, n, k, a, 1, k, Gemm.storedB(b, 0, n), c, 0, n, null, 0, false);
            double[] product = naive(false, false, m, n, k, 1f, a, 1, k, b, 0, n, 0f, c, 0, n);
            for (int i = 0; i < m * n; i++) {
                if (!Double.isNaN(product[i])) {
                    assertEquals(product[i], c[i], 1e-4 * Math.max(1, k));
                }
            }
        }
    }

    @Test
    void narrowTailPanelsMatchTheDefinition() {
        // Column counts whose last panel holds at most one vector (L) of columns take the narrow
        // kernel (two A panels at a time): alone (n = L) and after whole panels. Rows 4 and 13
        // leave one panel, or a panel and a part, to the edge tile; alpha, an old C (beta 1), the
        // bias and the ReLU go through their epilogues.
        Random rnd = new Random(17);
        int nr = SimdGemm.NR;
        int l = SimdGemm.L;
        for (int n : new int[] {l, nr + 1, nr + l, 2 * nr + l / 2}) {
            for (int m : new int[] {4, 8, 13, 64}) {
                for (int k : new int[] {70, 300}) {
                    float[] a = random(rnd, m * k);
                    float[] b = random(rnd, k * n);
                    float[] old = random(rnd, m * n);
                    float[] c = old.clone();
                    Gemm.sgemm(false, false, m, n, k, 0.5f, a, 0, k, b, 0, n, 1f, c, 0, n);
                    double[] want = naive(false, false, m, n, k, 0.5f, a, 0, k, b, 0, n, 1f, old, 0, n);
                    assertMatches(want, c, c, m, n, k, 0, n, "narrow tail, alpha 0.5, beta 1");

                    float[] bias = random(rnd, m);
                    float[] fused = new float[m * n];
                    Gemm.sgemmConstantA(m, n, k, a, 0, k, Gemm.storedB(b, 0, n), fused, 0, n, bias, 0, true);
                    double[] product = naive(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, fused, 0, n);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double v = Math.max(0, product[i * n + j] + bias[i]);
                            assertEquals(v, fused[i * n + j], 1e-4 * k, "narrow tail with bias and ReLU m=" + m + " n=" + n
                                    + " k=" + k + " at " + i + "," + j);
                        }
                    }
                }
            }
        }
    }

    /**
     * A stored B whose rows have room past column n has its narrow last panel read in place: NaN
     * in that room must not reach C, and the product must match the definition, with the room
     * just enough (the last row's reaching the array's end) and with none (n a whole vector), in
     * one slab of depth and in several.
     */
    @Test
    void narrowTailReadInPlaceIgnoresTheRoom() {
        Random rnd = new Random(18);
        int nr = SimdGemm.NR;
        int l = SimdGemm.L;
        int[][] cases = {
            // n, room
            {3, l}, {l, 0}, {l - 1, 1}, {nr + 5, l}, {nr + l, 0},
        };
        for (int[] nc : cases) {
            int n = nc[0];
            int room = nc[1];
            int ldb = n + room;
            // k = 1500 with a whole panel before the tail splits the depth into slabs.
            for (int[] mk : new int[][] {{8, 70}, {13, 70}, {64, 70}, {8, 1500}}) {
                int m = mk[0];
                int k = mk[1];
                float[] a = random(rnd, m * k);
                float[] b = new float[k * ldb];
                java.util.Arrays.fill(b, Float.NaN);
                float[] dense = random(rnd, k * n);
                for (int p = 0; p < k; p++) {
                    System.arraycopy(dense, p * n, b, p * ldb, n);
                }
                float[] ap = new float[Gemm.packedSize(m, k)];
                Gemm.packConstant(m, k, a, 0, k, ap, 0);
                float[] c = new float[m * n];
                Gemm.sgemmPacked(m, n, k, ap, 0, b, 0, ldb, room, c, 0, n);
                double[] want = naive(false, false, m, n, k, 1f, a, 0, k, dense, 0, n, 0f, c, 0, n);
                assertMatches(want, c, c, m, n, k, 0, n, "in-place narrow tail, room " + room);
            }
        }
    }

    /**
     * The lanes product (A's rows in the vector lanes, for B of at most one vector of columns)
     * equals the broadcast kernel's bit for bit, and the definition: row counts that leave a
     * partial last panel, column counts that leave a partial last group of four, NaN in B's room
     * past column n (never read) and in C's columns past n (never written).
     */
    @Test
    void lanesProductEqualsTheBroadcastKernel() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Gemm.SIMD, "lanes products are a Vector API kernel; off under loupe.simd=false");
        Random rnd = new Random(23);
        int l = SimdGemm.L;
        for (int m : new int[] {1, 5, SimdGemm.PW, SimdGemm.PW + 1, 130}) {
            for (int n : new int[] {1, 3, 4, 5, l - 1, l}) {
                for (int k : new int[] {1, 70, 600}) {
                    int ldb = n + 3;
                    int ldc = n + 2;
                    float[] a = random(rnd, m * k);
                    float[] dense = random(rnd, k * n);
                    float[] b = new float[k * ldb];
                    java.util.Arrays.fill(b, Float.NaN);
                    for (int p = 0; p < k; p++) {
                        System.arraycopy(dense, p * n, b, p * ldb, n);
                    }
                    float[] at = new float[Gemm.lanesSize(m, k)];
                    Gemm.packLanes(m, k, a, 0, k, at, 0);
                    float[] c = new float[m * ldc];
                    java.util.Arrays.fill(c, Float.NaN);
                    float[] before = c.clone();
                    Gemm.sgemmLanes(m, n, k, at, 0, b, 0, ldb, c, 0, ldc);
                    double[] want = naive(false, false, m, n, k, 1f, a, 0, k, dense, 0, n, 0f, c, 0, n);
                    assertMatches(want, before, c, m, n, k, 0, ldc, "lanes product");
                    float[] ap = new float[Gemm.packedSize(m, k)];
                    Gemm.packConstant(m, k, a, 0, k, ap, 0);
                    float[] viaBroadcast = new float[m * ldc];
                    java.util.Arrays.fill(viaBroadcast, Float.NaN);
                    Gemm.sgemmPacked(m, n, k, ap, 0, dense, 0, n, viaBroadcast, 0, ldc);
                    assertArrayEquals(viaBroadcast, c, "lanes against broadcast kernel m=" + m + " n=" + n + " k=" + k);
                }
            }
        }
        assertTrue(Gemm.lanesApply(l) && !Gemm.lanesApply(l + 1), "lanes products take up to one vector of columns");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemmLanes(4, l + 1, 4, new float[Gemm.lanesSize(4, 4)], 0, new float[4 * (l + 1)], 0, l + 1,
                        new float[4 * (l + 1)], 0, l + 1));
    }

    private static void assertMatches(double[] want, float[] before, float[] c, int m, int n, int k, int cOff, int ldc, String what) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(want[i * n + j], c[cOff + i * ldc + j], 1e-4 * Math.max(1, k),
                        what + " m=" + m + " n=" + n + " k=" + k + " at " + i + "," + j);
            }
            // Padding columns beyond n belong to someone else and must be untouched.
            if (ldc > n) {
                assertEquals(before[cOff + i * ldc + n], c[cOff + i * ldc + n], what);
            }
        }
    }

    @Test
    void constantAIsPackedOnceAndForgottenWhenAsked() {
        Random rnd = new Random(3);
        int m = 20;
        int n = 70;
        int k = 90;
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c1 = new float[m * n];
        float[] c2 = new float[m * n];
        Gemm.sgemmConstantA(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c1, 0, n);
        Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c2, 0, n);
        assertArrayEquals(c2, c1);
        // Change the weights in place: without forgetPacked the cached packing would be stale.
        for (int i = 0; i < a.length; i++) {
            a[i] *= -2f;
        }
        Gemm.forgetPacked(a);
        Gemm.sgemmConstantA(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c1, 0, n);
        Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c2, 0, n);
        assertArrayEquals(c2, c1);
    }

    @Test
    void vectorKernelIsActiveUnlessTurnedOff() {
        // Surefire adds jdk.incubator.vector, so the fast path above is the one being checked; the
        // scalar-kernels execution turns it off with loupe.simd=false to check the fallback.
        boolean off = "false".equals(System.getProperty("loupe.simd"));
        assertEquals(!off, Gemm.SIMD, "the Vector API kernel should be active in tests unless loupe.simd=false");
    }

    @Test
    void shufflePathsAreCheckedUnderTest() {
        // Off by default below JDK 25; surefire turns them on so the build JDK checks them too.
        assertEquals(Gemm.SIMD, Gemm.SHUFFLES, "loupe.simd.shuffles=true should turn the shuffle paths on in tests");
    }

    @Test
    void betaZeroIgnoresNaNInOutput() {
        float[] c = {Float.NaN, Float.NaN};
        Gemm.sgemm(false, false, 1, 2, 1, 1f, new float[] {2}, 0, 1, new float[] {3, 4}, 0, 2, 0f, c, 0, 2);
        assertEquals(6f, c[0]);
        assertEquals(8f, c[1]);
    }
}
