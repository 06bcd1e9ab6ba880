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
}
