package dev.loupe.explain.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Tensor;
import org.junit.jupiter.api.Test;

class ClassDiscriminationSimilarityTest {
    @Test
    void comparesMagnitudesMaxedOverChannels() {
        // Channel 1 of b is channel 0 of a with its sign flipped: the max-|.| pictures are the same.
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 0, 0, 0, 0}, 1, 2, 2, 2);
        Tensor b = Tensor.of(new float[] {0, 0, 0, 0, -1, -2, -3, -4}, 1, 2, 2, 2);
        assertEquals(1.0, ClassDiscrimination.similarity(a, b), 1e-12);
        Tensor reversed = Tensor.of(new float[] {4, 3, 2, 1, 0, 0, 0, 0}, 1, 2, 2, 2);
        assertEquals(-1.0, ClassDiscrimination.similarity(a, reversed), 1e-12);
    }

    @Test
    void aConstantMapHasNoRankCorrelation() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertTrue(Double.isNaN(ClassDiscrimination.similarity(a, Tensor.zeros(1, 1, 2, 2))));
    }
}
