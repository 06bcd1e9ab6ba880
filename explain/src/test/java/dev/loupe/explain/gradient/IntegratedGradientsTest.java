package dev.loupe.explain.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.Attribution;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Target;
import dev.loupe.explain.testing.SyntheticModels;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IntegratedGradientsTest {
    @Test
    void quadratureRules() {
        Quadrature gl = Quadrature.of(Quadrature.Rule.GAUSS_LEGENDRE, 4);
        // Exact for degree 7: ∫ a^7 = 1/8.
        double s = 0;
        for (int i = 0; i < 4; i++) {
            s += gl.weights()[i] * Math.pow(gl.alphas()[i], 7);
        }
        assertEquals(0.125, s, 1e-12);
        // Captum's trapezoid weights: 1/n with halved ends, summing to (n-1)/n.
        assertEquals(0.8, Arrays.stream(Quadrature.of(Quadrature.Rule.TRAPEZOID, 5).weights()).sum(), 1e-12);
        assertEquals(1.0, Arrays.stream(Quadrature.of(Quadrature.Rule.TRAPEZOID_EXACT, 5).weights()).sum(), 1e-12);
    }

    static float gap(Graph g, Tensor x, String integration, int steps) {
        Attribution a = Explainers.explain(g, x, "integrated-gradients", Target.of(1),
                Map.of("steps", String.valueOf(steps), "integration", integration));
        return (float) a.info().get("completenessGap");
    }

    @Test
    void completenessGapShrinksWithSteps() {
        Graph g = SyntheticModels.smooth(11);
        Tensor x = SyntheticModels.randomImage(2, 1, 3, 8, 8);
        for (String rule : new String[] {"trapezoid", "trapezoid-exact", "gauss-legendre"}) {
            float g4 = Math.abs(gap(g, x, rule, 4));
            float g16 = Math.abs(gap(g, x, rule, 16));
            float g64 = Math.abs(gap(g, x, rule, 64));
            assertTrue(g16 < g4 && g64 < g16, rule + ": gaps " + g4 + ", " + g16 + ", " + g64);
        }
    }

    @Test
    void gaussLegendreBeatsTrapezoidAtEqualSteps() {
        Graph g = SyntheticModels.smooth(11);
        Tensor x = SyntheticModels.randomImage(2, 1, 3, 8, 8);
        for (int steps : new int[] {4, 8, 16}) {
            float gl = Math.abs(gap(g, x, "gauss-legendre", steps));
            assertTrue(gl < Math.abs(gap(g, x, "trapezoid", steps)), "vs Captum trapezoid at " + steps);
            assertTrue(gl < Math.abs(gap(g, x, "trapezoid-exact", steps)), "vs exact trapezoid at " + steps);
        }
    }
}
