package dev.loupe.explain.compare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.engine.Tensor;
import org.junit.jupiter.api.Test;

class RankCorrelationTest {
    @Test
    void monotoneMapsCorrelatePerfectly() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5}, 5);
        Tensor b = Tensor.of(new float[] {1, 4, 9, 16, 100}, 5);
        assertEquals(1.0, RankCorrelation.spearman(a, b), 1e-12);
        Tensor c = Tensor.of(new float[] {5, 4, 3, 2, 1}, 5);
        assertEquals(-1.0, RankCorrelation.spearman(a, c), 1e-12);
    }

    @Test
    void tiesShareTheirMeanRank() {
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, RankCorrelation.ranks(new float[] {0, 1, 1, 2}), 0);
    }

    @Test
    void knownValue() {
        // Textbook example: d² sum = 2 with n = 5 -> rho = 1 - 6*2/(5*24) = 0.9.
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5}, 5);
        Tensor b = Tensor.of(new float[] {2, 1, 3, 4, 5}, 5);
        assertEquals(0.9, RankCorrelation.spearman(a, b), 1e-12);
    }

    @Test
    void sizesMustAgree() {
        assertThrows(IllegalArgumentException.class,
                () -> RankCorrelation.spearman(Tensor.zeros(3), Tensor.zeros(4)));
    }
}
