package dev.loupe.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.testing.TargetedModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * "Why car (0) rather than bike (1)?" on {@link TargetedModels#carOrBike()}: features A = relu(x),
 * wheels (channel 0) on the left half, a roof (channel 1) on the right half, each 1 over 2×2 of the
 * 2×4 map (h·w = 8). With a global-average-pool head Grad-CAM's weights are W[c] / 8:
 * <ul>
 *   <li>car: weights (2, 3)/8 → left 0.25, right 0.375 — both the wheels and the roof;</li>
 *   <li>car vs bike: weights (2 − 2, 3 − 0.5)/8 → left 0, right 0.3125 — the wheels, which both
 *       classes have, drop out; only the roof says "car rather than bike";</li>
 *   <li>bike vs car: weights (0, −2.5)/8 → nothing at all after the ReLU;</li>
 *   <li>class 2 (−1, 1)/8: Grad-CAM right 0.125; counterfactual (1, −1)/8 → left 0.125: the
 *       wheels lower class 2's score.</li>
 * </ul>
 * Input gradients: ∂/∂x = W[c]/8 where x > 0 (ReLU active), 0 elsewhere.
 */
class ContrastiveTest {
    private final Trace trace = Explainers.forward(TargetedModels.carOrBike(), TargetedModels.carOrBikeImage());

    private float[] map(String method, Target t) {
        return Explainers.explain(trace, method, t, Map.of("layer", "features"), null).map().data();
    }

    private static float[] halves(float left, float right) {
        return new float[] {left, left, right, right, left, left, right, right};
    }

    @Test
    void gradCamOfTheContrastKeepsOnlyWhatSeparatesTheClasses() {
        assertArrayEquals(halves(0.25f, 0.375f), map("gradcam", Target.of(0)), 1e-6f);
        assertArrayEquals(halves(0f, 0.3125f), map("gradcam", Target.contrast(0, 1)), 1e-6f);
        assertArrayEquals(halves(0f, 0f), map("gradcam", Target.contrast(1, 0)), 1e-6f);
    }

    @Test
    void counterfactualShowsWhatLowersTheScore() {
        assertArrayEquals(halves(0f, 0.125f), map("gradcam", Target.of(2)), 1e-6f);
        assertArrayEquals(halves(0.125f, 0f), map("counterfactual", Target.of(2)), 1e-6f);
        // Nothing lowers the car's score; against the bike, nothing favours the bike.
        assertArrayEquals(halves(0f, 0f), map("counterfactual", Target.of(0)), 1e-6f);
        assertArrayEquals(halves(0f, 0f), map("counterfactual", Target.contrast(0, 1)), 1e-6f);
    }

    @Test
    void gradientMethodsExplainTheLogitDifference() {
        for (String method : new String[] {"saliency", "guided-backprop"}) {
            Tensor plain = Explainers.explain(trace, method, Target.of(0), Map.of(), null).map();
            Tensor contrast = Explainers.explain(trace, method, Target.contrast(0, 1), Map.of(), null).map();
            // Channel 0 (wheels) then channel 1 (roof), each 2×4.
            assertArrayEquals(concat(halves(0.25f, 0f), halves(0f, 0.375f)), plain.data(), 1e-6f, method);
            assertArrayEquals(concat(halves(0f, 0f), halves(0f, 0.3125f)), contrast.data(), 1e-6f, method);
        }
        Attribution gg = Explainers.explain(trace, "guided-gradcam", Target.contrast(0, 1), Map.of("upsample", "nearest"), null);
        // guided (0.3125 on the roof channel's right half) × Grad-CAM (0.3125 on the right half).
        assertArrayEquals(concat(halves(0f, 0f), halves(0f, 0.3125f * 0.3125f)), gg.map().data(), 1e-6f);
        Attribution ig = Explainers.explain(trace, "integrated-gradients", Target.contrast(0, 1), Map.of("steps", "4", "integration", "gauss-legendre"), null);
        float sum = 0;
        for (float v : ig.map().data()) {
            sum += v;
        }
        // The model is linear along the path from the zero baseline (except at α = 0, which
        // Gauss–Legendre nodes avoid): IG sums to y_P − y_Q exactly.
        assertArrayEquals(new float[] {ig.score()}, new float[] {sum}, 1e-5f);
        assertArrayEquals(new float[] {(3f - 0.5f) * 0.5f}, new float[] {ig.score()}, 1e-6f);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
