package dev.loupe.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.testing.GradCheck;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LossAndOptimizersTest {
    @Test
    void crossEntropyByHand() {
        // Row 0: logits [0, ln 3] -> p = [1/4, 3/4], label 1: loss -ln(3/4). Row 1: equal logits, label 0: ln 2.
        Tensor z = Tensor.of(new float[] {0, (float) Math.log(3), 5, 5}, 2, 2);
        SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.compute(z, new int[] {1, 0});
        assertEquals((-Math.log(0.75) + Math.log(2)) / 2, r.loss(), 1e-6);
        assertEquals(2, r.correct()); // row 1's tie goes to class 0, the first largest: its label
        float[] g = r.gradient().data();
        assertEquals(0.25 / 2, g[0], 1e-6);
        assertEquals(-0.25 / 2, g[1], 1e-6);
        assertEquals(-0.5 / 2, g[2], 1e-6);
        assertEquals(0.5 / 2, g[3], 1e-6);
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor z = Tensor.of(new float[] {1e4f, -1e4f, 0, 3e4f, 3e4f, 3e4f}, 2, 3);
        SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.compute(z, new int[] {0, 2});
        assertTrue(Double.isFinite(r.loss()));
        assertEquals(Math.log(3) / 2, r.loss(), 1e-6);
        for (float v : r.gradient().data()) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void crossEntropyGradientMatchesFiniteDifferences() {
        Random rnd = new Random(3);
        Tensor z = GradCheck.random(rnd, 4, 5);
        int[] labels = {0, 4, 2, 2};
        Tensor g = SoftmaxCrossEntropy.compute(z, labels).gradient();
        for (int i = 0; i < z.size(); i++) {
            float keep = z.data()[i];
            z.data()[i] = keep + 1e-3f;
            double plus = SoftmaxCrossEntropy.compute(z, labels).loss();
            z.data()[i] = keep - 1e-3f;
            double minus = SoftmaxCrossEntropy.compute(z, labels).loss();
            z.data()[i] = keep;
            assertEquals((plus - minus) / 2e-3, g.data()[i], 1e-4);
        }
    }

    @Test
    void crossEntropyRejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> SoftmaxCrossEntropy.compute(Tensor.zeros(2, 3), new int[] {0, 3}));
        assertThrows(IllegalArgumentException.class, () -> SoftmaxCrossEntropy.compute(Tensor.zeros(2, 3), new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> SoftmaxCrossEntropy.compute(Tensor.zeros(2, 3, 1), new int[] {0, 1}));
    }

    @Test
    void adamFirstStepMovesEachWeightByTheLearningRate() {
        // With bias correction, step 1 gives m̂ = g and v̂ = g², so every weight moves by lr·sign(g).
        Tensor w = Tensor.of(new float[] {1, 2, 3}, 3);
        new Adam(0.1).step(Map.of("w", w), Map.of("w", Tensor.of(new float[] {0.5f, -4f, 1e-3f}, 3)));
        assertEquals(0.9f, w.data()[0], 1e-5);
        assertEquals(2.1f, w.data()[1], 1e-5);
        assertEquals(2.9f, w.data()[2], 1e-4);
    }

    @Test
    void sgdMomentumByHand() {
        Tensor w = Tensor.of(new float[] {1}, 1);
        Sgd sgd = new Sgd(0.1, 0.9);
        Map<String, Tensor> g = Map.of("w", Tensor.of(new float[] {1}, 1));
        sgd.step(Map.of("w", w), g); // v = 1, w = 0.9
        sgd.step(Map.of("w", w), g); // v = 1.9, w = 0.71
        assertEquals(0.71f, w.data()[0], 1e-6);
    }

    /** Both optimizers minimise a quadratic bowl f(w) = Σ (w_i - i)². */
    @Test
    void optimizersMinimiseAQuadratic() {
        for (Optimizer opt : new Optimizer[] {new Adam(0.05), new Sgd(0.05, 0.9)}) {
            Tensor w = Tensor.zeros(4);
            for (int it = 0; it < 500; it++) {
                float[] g = new float[4];
                for (int i = 0; i < 4; i++) {
                    g[i] = 2 * (w.data()[i] - i);
                }
                opt.step(Map.of("w", w), Map.of("w", Tensor.of(g, 4)));
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(i, w.data()[i], 1e-2, opt.getClass().getSimpleName());
            }
        }
    }
}
