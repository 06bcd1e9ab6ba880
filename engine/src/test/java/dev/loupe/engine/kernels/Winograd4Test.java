package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loupe.engine.testing.GradCheck;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Winograd4}, F(4x4, 3x3), against a double-precision direct convolution. */
class Winograd4Test {
    private static float[] random(Random rnd, int n) {
        return GradCheck.random(rnd, n).data();
    }

    /**
     * Winograd's rounding error grows with the magnitudes summed, not with the result, so each
     * output is held to a multiple of float's epsilon times {@code sum |x w|} over its window:
     * F(4x4, 3x3)'s transforms amplify rounding by a few hundred at most.
     */
    private static void assertMatchesDirect(int n, int c, int h, int w, int m, int[] pads, float[] x, float[] wt,
            float[] bias, boolean relu, float[] got) {
        Window2d g = Window2d.of(h, w, 3, 3, 1, 1, 1, 1, pads[0], pads[1], pads[2], pads[3], false);
        int oh = g.oh();
        int ow = g.ow();
        for (int img = 0; img < n; img++) {
            for (int k = 0; k < m; k++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = bias == null ? 0 : bias[k];
                        double magnitude = Math.abs(sum);
                        for (int ci = 0; ci < c; ci++) {
                            for (int i = 0; i < 3; i++) {
                                for (int j = 0; j < 3; j++) {
                                    int iy = oy - pads[0] + i;
                                    int ix = ox - pads[1] + j;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        double term = (double) x[((img * c + ci) * h + iy) * w + ix] * wt[((k * c + ci) * 3 + i) * 3 + j];
                                        sum += term;
                                        magnitude += Math.abs(term);
                                    }
                                }
                            }
                        }
                        double want = relu ? Math.max(sum, 0) : sum;
                        int at = ((img * m + k) * oh + oy) * ow + ox;
                        assertEquals(want, got[at], 300 * Math.ulp(1f) * magnitude + 1e-7,
                                "n" + n + " c" + c + " " + h + "x" + w + " m" + m + " at image " + img + " filter " + k + " (" + oy + ", " + ox + ")");
                    }
                }
            }
        }
    }

    /**
     * Odd sizes (partial last tiles), a 1x1 image, asymmetric and zero pads, several images,
     * channel counts that are not multiples of the vector length, a following ReLU, and an image
     * large enough to be cut into blocks of tile rows.
     */
    @Test
    void matchesDirectConvolution() {
        Random rnd = new Random(41);
        int[][] cases = {
            // n, c, h, w, m, pads (top, left, bottom, right), bias, relu
            {2, 64, 5, 7, 64, 1, 1, 1, 1, 1, 0},
            {1, 64, 1, 1, 72, 1, 1, 1, 1, 0, 0},
            {1, 80, 8, 9, 64, 0, 2, 1, 0, 1, 1},
            {3, 64, 6, 6, 64, 0, 0, 0, 0, 0, 0},
            {1, 64, 3, 17, 65, 2, 2, 2, 2, 1, 0},
            {1, 96, 19, 13, 70, 1, 1, 1, 1, 1, 1},
            {4, 64, 30, 30, 64, 1, 1, 1, 1, 1, 1},
        };
        for (int[] k : cases) {
            int n = k[0];
            int c = k[1];
            int h = k[2];
            int w = k[3];
            int m = k[4];
            int[] pads = {k[5], k[6], k[7], k[8]};
            Window2d g = Window2d.of(h, w, 3, 3, 1, 1, 1, 1, pads[0], pads[1], pads[2], pads[3], false);
            float[] x = random(rnd, n * c * h * w);
            float[] wt = random(rnd, m * c * 9);
            float[] bias = k[9] == 1 ? random(rnd, m) : null;
            boolean relu = k[10] == 1;
            float[] y = new float[n * m * g.oh() * g.ow()];
            Arrays.fill(y, Float.NaN);
            Winograd4.forward(x, n, c, m, wt, bias, g, relu, y);
            assertMatchesDirect(n, c, h, w, m, pads, x, wt, bias, relu, y);
        }
    }

    /** An empty batch is nothing to do (the chunking must not divide by its zero chunks). */
    @Test
    void emptyBatchWritesNothing() {
        Window2d g = Window2d.of(8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
        Winograd4.forward(new float[0], 0, 64, 64, new float[64 * 64 * 9], null, g, false, new float[0]);
    }

    /**
     * The vector transforms compute exactly what the scalar ones do, including partial rows. Rows
     * of 56 and more columns take the vector phase split in whole vectors of tiles at 8 lanes;
     * rows of 4 to L-1 inner tiles (widths 23 to 75 here) take one vector whose spare lanes are
     * overwritten later, and the last rows of the array fall back to the scalar split.
     */
    @Test
    void vectorTransformsEqualScalarOnes() {
        assumeTrue(Gemm.SIMD, "the Vector API is not available");
        Random rnd = new Random(42);
        for (int[] k : new int[][] {{2, 64, 13, 11, 64}, {1, 72, 30, 30, 64}, {3, 64, 7, 7, 96}, {2, 64, 9, 56, 64},
                {1, 64, 5, 75, 64}, {1, 64, 6, 141, 64}, {2, 64, 28, 28, 64}, {1, 64, 20, 23, 64}, {3, 64, 9, 44, 64}}) {
            int n = k[0];
            int c = k[1];
            int m = k[4];
            Window2d g = Window2d.of(k[2], k[3], 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
            float[] x = random(rnd, n * c * k[2] * k[3]);
            float[] wt = random(rnd, m * c * 9);
            float[] bias = random(rnd, m);
            float[] vector = new float[n * m * g.oh() * g.ow()];
            float[] scalar = new float[vector.length];
            Winograd4.forward(x, n, c, m, wt, bias, g, true, vector, true);
            Winograd4.forward(x, n, c, m, wt, bias, g, true, scalar, false);
            assertArrayEquals(scalar, vector, Arrays.toString(k));
        }
    }

    /**
     * Images cut into blocks of tile rows, and batches cut into chunks, give every image exactly
     * what it gets alone.
     */
    @Test
    void blocksAndChunksEqualImagesOneByOne() {
        Random rnd = new Random(43);
        for (int[] k : new int[][] {{5, 64, 56, 64}, {20, 256, 14, 256}}) {
            int n = k[0];
            int c = k[1];
            int h = k[2];
            int m = k[3];
            Window2d g = Window2d.of(h, h, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
            float[] x = random(rnd, n * c * h * h);
            float[] wt = random(rnd, m * c * 9);
            float[] y = new float[n * m * h * h];
            Winograd4.forward(x, n, c, m, wt, null, g, false, y);
            for (int img = 0; img < n; img++) {
                float[] one = new float[m * h * h];
                Winograd4.forward(Arrays.copyOfRange(x, img * c * h * h, (img + 1) * c * h * h), 1, c, m, wt, null, g, false, one);
                assertArrayEquals(one, Arrays.copyOfRange(y, img * m * h * h, (img + 1) * m * h * h), "image " + img + " of " + h + "x" + h);
            }
        }
        int tiles = 14 * 14;
        assertTrue(Winograd4.POSITIONS * 128 * tiles > Winograd.BLOCK_FLOATS, "56x56 must be cut into row blocks");
        assertTrue(20L * Winograd4.POSITIONS * 512 * 16 > Scratch.MAX_KEPT, "20 14x14 images must span several chunks");
    }

    /** A filter with only a centre tap transforms to the outer product of G's middle column, times the tap. */
    @Test
    void weightTransformOfCentreTap() {
        float[] w = new float[9];
        w[4] = 2f;
        float[] u = Winograd4.transformWeights(w, 1, 1);
        double[] g = {0, -1 / 6.0, 1 / 6.0, 1 / 12.0, -1 / 12.0, 0};
        for (int a = 0; a < 6; a++) {
            for (int b = 0; b < 6; b++) {
                assertEquals((float) (2 * g[a] * g[b]), u[a * 6 + b], 0f, "U[" + a + "][" + b + "]");
            }
        }
    }

    /** F(4x4) is chosen once a batch has 16 tiles of 4x4 outputs; below that F(2x2) stays. */
    @Test
    void chosenForBatchesOfSixteenTilesOrMore() {
        Window2d small = Window2d.of(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
        Window2d medium = Window2d.of(14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
        assertFalse(Winograd.prefersF4(small, 1), "one 7x7 image: 4 tiles");
        assertFalse(Winograd.prefersF4(small, 3), "three 7x7 images: 12 tiles");
        assertTrue(Winograd.prefersF4(small, 4), "four 7x7 images: 16 tiles");
        assertTrue(Winograd.prefersF4(medium, 1), "one 14x14 image: 16 tiles");
    }
}
