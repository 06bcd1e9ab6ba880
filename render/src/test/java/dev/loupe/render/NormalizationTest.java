package dev.loupe.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.engine.Tensor;
import org.junit.jupiter.api.Test;

class NormalizationTest {
    @Test
    void percentileInterpolatesLikeNumpy() {
        double[] v = new double[101];
        for (int i = 0; i <= 100; i++) {
            v[i] = 100 - i;
        }
        assertEquals(99.0, Normalization.percentileOf(v, 99), 1e-9);
        assertEquals(100.0, Normalization.percentileOf(v, 100), 1e-9);
        // np.percentile([1, 2, 3, 4], 50) == 2.5
        assertEquals(2.5, Normalization.percentileOf(new double[] {4, 1, 3, 2}, 50), 1e-9);
    }

    @Test
    void percentileClipKeepsAnOutlierFromWashingOutTheMap() {
        float[] v = new float[100];
        for (int i = 0; i < 99; i++) {
            v[i] = -(i % 10) / 10f; // signs are dropped in unsigned mode
        }
        v[99] = 1000f;
        float[] out = Normalization.percentile(false, 98).apply(new Heatmap(10, 10, v));
        assertEquals(1f, out[99], 0f);
        assertEquals(1f, out[9], 1e-6f); // |-0.9| is the 98th percentile here
        assertEquals(0.5f / 0.9f, out[5], 1e-5f);
    }

    @Test
    void signedMapsCentreZeroAndExplicitRangesAreFixed() {
        Heatmap m = new Heatmap(3, 1, new float[] {-2f, 0f, 2f});
        assertArrayEquals(new float[] {0f, 0.5f, 1f}, Normalization.percentile(true, 100).apply(m), 1e-6f);
        assertArrayEquals(new float[] {0f, 0.5f, 1f}, Normalization.range(true, -2, 2).apply(m), 1e-6f);
        assertArrayEquals(new float[] {0.5f, 0f, 0.5f}, Normalization.range(false, 0, 4).apply(m), 1e-6f);
        assertArrayEquals(new float[] {0f, 0f, 0f}, Normalization.percentile(false, 99).apply(new Heatmap(3, 1, new float[3])), 0f);
        assertThrows(IllegalArgumentException.class, () -> Normalization.range(false, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Normalization.percentile(false, 0));
    }

    @Test
    void channelReductions() {
        // [1, 2, 1, 2]: channel 0 = (1, -3), channel 1 = (-2, 1)
        Tensor a = Tensor.of(new float[] {1, -3, -2, 1}, 1, 2, 1, 2);
        assertArrayEquals(new float[] {2, 3}, Reduction.MAX_ABS.apply(a, 0).values(), 0f);
        assertArrayEquals(new float[] {1, 2}, Reduction.SUM.apply(a, 0).values(), 0f);
        assertArrayEquals(new float[] {-1, -2}, Reduction.SIGNED_SUM.apply(a, 0).values(), 0f);
        assertEquals(Reduction.SIGNED_SUM, Reduction.parse("signed_sum"));
        assertArrayEquals(new float[] {-0.5f, -1f}, Reduction.MEAN.apply(a, 0).values(), 0f);
        assertThrows(IllegalArgumentException.class, () -> Reduction.parse("median"));
    }
}
