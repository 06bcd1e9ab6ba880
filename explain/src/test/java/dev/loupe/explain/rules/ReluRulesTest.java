package dev.loupe.explain.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.loupe.engine.BackwardRule;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ops.Relu;
import org.junit.jupiter.api.Test;

/** The lecture's 3×3 example for the three ReLU backward rules. */
class ReluRulesTest {
    private static final Tensor H = Tensor.of(new float[] {1, -1, 5, 2, -5, -7, -3, 2, 4}, 1, 1, 3, 3);
    private static final Tensor G = Tensor.of(new float[] {-2, 3, -1, 6, -3, 1, 2, -1, 3}, 1, 1, 3, 3);

    private static float[] run(BackwardRule rule) {
        Saved s = new Saved();
        new Relu().forward(new Tensor[] {H}, s);
        return rule.backward(null, s, new Tensor[] {G}, new boolean[] {true})[0].data();
    }

    @Test
    void gradient() {
        assertArrayEquals(new float[] {-2, 0, -1, 6, 0, 0, 0, -1, 3}, run(ReluRules.GRADIENT));
    }

    @Test
    void deconvnet() {
        assertArrayEquals(new float[] {0, 3, 0, 6, 0, 1, 2, 0, 3}, run(ReluRules.DECONVNET));
    }

    @Test
    void guided() {
        assertArrayEquals(new float[] {0, 0, 0, 6, 0, 0, 0, 0, 3}, run(ReluRules.GUIDED));
    }
}
