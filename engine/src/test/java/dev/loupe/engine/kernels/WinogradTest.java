package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.testing.GradCheck;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Kernel-level checks of {@link Winograd}; agreement with the direct convolution is in ConvTest. */
class WinogradTest {
    private static float[] random(Random rnd, int n) {
        return GradCheck.random(rnd, n).data();
    }

    /**
     * A batch too large for one chunk of transformed tiles is cut into chunks; every image must
     * come out exactly as when it is convolved alone.
     */
    /** One image's row blocks go out largest first (ties in row order); several images', in order. */
    @Test
    void rowBlocksAreClaimedLargestFirstForOneImageOnly() {
        int[] start = {0, 3, 7, 10, 14};
        assertArrayEquals(new int[] {1, 3, 0, 2}, Winograd.claimOrder(start, 1));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, Winograd.claimOrder(start, 2));
        assertArrayEquals(new int[] {0, 1, 2}, Winograd.claimOrder(new int[] {0, 4, 8, 10}, 1));
    }

    @Test
    void chunkedBatchEqualsImagesOneByOne() {
        Random rnd = new Random(3);
        int n = 7;
        int c = 64;
        int m = 64;
        int h = 56;
        Window2d g = Window2d.of(h, h, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
        int tiles = ((h + 1) / 2) * ((h + 1) / 2);
        assertTrue(Winograd.POSITIONS * c * tiles * n > Winograd.CHUNK_FLOATS, "the batch must span several chunks");
        float[] x = random(rnd, n * c * h * h);
        float[] w = random(rnd, m * c * 9);
        float[] bias = random(rnd, m);
        float[] y = new float[n * m * h * h];
        Arrays.fill(y, Float.NaN);
        Winograd.forward(x, n, c, m, w, bias, g, y);
        for (int img = 0; img < n; img++) {
            float[] one = new float[m * h * h];
            Winograd.forward(Arrays.copyOfRange(x, img * c * h * h, (img + 1) * c * h * h), 1, c, m, w, bias, g, one);
            assertArrayEquals(one, Arrays.copyOfRange(y, img * m * h * h, (img + 1) * m * h * h), "image " + img);
        }
    }

    /** A filter with only a centre tap transforms to the outer product of G times that tap. */
    @Test
    void weightTransformOfCentreTap() {
        float[] w = new float[9];
        w[4] = 2f;
        float[] u = Winograd.transformWeights(w, 1, 1);
        // G e1 = (0, 1/2, -1/2, 0); U = (G e1)(G e1)^T scaled by 2.
        float[] g = {0f, 0.5f, -0.5f, 0f};
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                assertEquals(2f * g[a] * g[b], u[a * 4 + b], 0f, "U[" + a + "][" + b + "]");
            }
        }
    }

    @Test
    void appliesOnlyToWideThreeByThreeStrideOneConvolutions() {
        Window2d same = Window2d.of(8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
        assertTrue(Winograd.applies(same, 64, 64, 1));
        assertFalse(Winograd.applies(same, 32, 64, 1), "too few input channels");
        assertFalse(Winograd.applies(same, 64, 64, 2), "grouped");
        assertFalse(Winograd.applies(Window2d.of(8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false), 64, 64, 1), "strided");
        assertFalse(Winograd.applies(Window2d.of(8, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, false), 64, 64, 1), "dilated");
        assertFalse(Winograd.applies(Window2d.of(8, 8, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, false), 64, 64, 1), "5x5");
    }
}
