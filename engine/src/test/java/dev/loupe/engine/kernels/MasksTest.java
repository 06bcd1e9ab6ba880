package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector loops of {@link Masks} against their one-line definitions, NaN and signed zeros included. */
class MasksTest {
    private static float[] mixed(Random rnd, int n) {
        float[] a = new float[n];
        float[] special = {Float.NaN, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextInt(5) == 0 ? special[rnd.nextInt(special.length)] : (float) rnd.nextGaussian();
        }
        return a;
    }

    @Test
    void gatesMatchTheirDefinitions() {
        Random rnd = new Random(5);
        // Lengths around the vector width and above the parallel grain, so tails and chunks are both hit.
        for (int n : new int[] {0, 1, 7, 8, 9, 31, 1003, (1 << 17) + 5}) {
            float[] y = mixed(rnd, n);
            float[] g = mixed(rnd, n);
            float[] a = new float[n];
            float[] b = new float[n];
            float[] c = new float[n];
            Masks.wherePositive(y, g, a);
            Masks.positive(g, b);
            Masks.positiveWherePositive(y, g, c);
            for (int i = 0; i < n; i++) {
                assertEquals(y[i] > 0f ? g[i] : 0f, a[i], 0f, "wherePositive at " + i);
                assertEquals(g[i] > 0f ? g[i] : 0f, b[i], 0f, "positive at " + i);
                assertEquals(y[i] > 0f && g[i] > 0f ? g[i] : 0f, c[i], 0f, "positiveWherePositive at " + i);
            }
        }
    }

    /** ReLU's vector loop is {@code Math.max(x, 0)} element by element: NaN stays NaN, -0 becomes +0; in place too. */
    @Test
    void rectifyIsMathMax() {
        Random rnd = new Random(7);
        for (int n : new int[] {0, 1, 15, 16, 17, 1003, (1 << 17) + 5}) {
            float[] x = mixed(rnd, n);
            float[] y = new float[n];
            float[] z = x.clone();
            Masks.rectify(x, y);
            Masks.rectify(z, z);
            for (int i = 0; i < n; i++) {
                float want = Math.max(x[i], 0f);
                // Float.compare tells -0 from +0 and takes every NaN as equal.
                assertEquals(0, Float.compare(want, y[i]), "rectify at " + i + " of " + x[i] + ": " + y[i]);
                assertEquals(0, Float.compare(want, z[i]), "rectify in place at " + i + " of " + x[i] + ": " + z[i]);
            }
        }
    }
}
