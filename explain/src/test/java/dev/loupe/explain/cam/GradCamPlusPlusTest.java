package dev.loupe.explain.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Target;
import dev.loupe.explain.testing.TargetedModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradCamPlusPlusTest {
    private static Tensor map(Trace t, String method, Target target) {
        return Explainers.explain(t, method, target, Map.of("layer", "features"), null).map();
    }

    /**
     * When every channel's activations sum to zero, α = g² / (2g²) = ½ wherever g ≠ 0, so with
     * non-negative gradients {@code w_k = Σ ½ g = (h·w / 2) · mean g}: Grad-CAM++ is Grad-CAM times
     * h·w/2 = 4 here, even though the gradients vary over space.
     */
    @Test
    void equalsGradCamTimesHalfThePositionsWhenActivationsSumToZero() {
        float[] row = {0.1f, 0.4f, 0.2f, 0.9f, 0.3f, 0.3f, 0.7f, 0.05f, 0.5f, 0.2f, 0.8f, 0.1f, 0.6f, 0.4f, 0.2f, 0.3f};
        Graph g = TargetedModels.denseHead(2, 4, false, new float[][] {row, new float[16]});
        Tensor x = Tensor.of(new float[] {1f, -1f, 2f, -2f, 0.5f, -0.5f, 3f, -3f, // channel 0, sums to 0
                -1f, 2f, 0.5f, 1.5f, -2f, 0.25f, -0.75f, -0.5f}, 1, 2, 2, 4); // channel 1, sums to 0
        Trace t = Explainers.forward(g, x);
        Tensor plus = map(t, "gradcam++", Target.of(0));
        Tensor grad = map(t, "gradcam", Target.of(0));
        double max = 0;
        for (int i = 0; i < grad.size(); i++) {
            assertEquals(4 * grad.data()[i], plus.data()[i], 1e-6);
            max = Math.max(max, grad.data()[i]);
        }
        assertTrue(max > 0);
    }

    /**
     * Hand-checked: A_0 = [1, 2], A_1 = [3, 0] (one row, two columns); the class reads
     * S = A_0[0] + A_0[1] + 2·A_1[0] − A_1[1], so g_0 = (1, 1), g_1 = (2, −1), Σ A_0 = Σ A_1 = 3.
     * Channel 0: α = 1 / (2 + 3) = 0.2 at both positions, w_0 = 0.2 + 0.2 = 0.4.
     * Channel 1: α = 4 / (8 + 3·8) = 0.125 where g = 2; relu(−1) = 0 elsewhere; w_1 = 0.25.
     * Map = relu(0.4·[1, 2] + 0.25·[3, 0]) = [1.15, 0.8]; Grad-CAM (w = mean g = 1, 0.5) gives [2.5, 2].
     */
    @Test
    void handCheckedSmallCase() {
        Graph g = TargetedModels.denseHead(1, 2, true, new float[][] {{1f, 1f, 2f, -1f}, {0f, 0f, 0f, 0f}});
        Trace t = Explainers.forward(g, Tensor.of(new float[] {1f, 2f, 3f, 0f}, 1, 2, 1, 2));
        Tensor plus = map(t, "gradcam++", Target.of(0));
        assertEquals(1.15, plus.data()[0], 1e-6);
        assertEquals(0.8, plus.data()[1], 1e-6);
        Tensor grad = map(t, "gradcam", Target.of(0));
        assertEquals(2.5, grad.data()[0], 1e-6);
        assertEquals(2.0, grad.data()[1], 1e-6);
    }

    /** One channel: both maps are relu(w · A) with w > 0, so they agree up to the ratio of the weights. */
    @Test
    void singleChannelAgreesUpToScale() {
        Tensor a = Tensor.of(new float[] {0f, 1f, 4f, 2f, 0f, 3f}, 1, 1, 2, 3);
        Tensor gr = Tensor.of(new float[] {0.5f, 1f, 0.2f, 0f, 2f, 0.3f}, 1, 1, 2, 3);
        double[][] w = GradCamPlusPlus.weights(a, gr);
        double meanG = (0.5 + 1 + 0.2 + 0 + 2 + 0.3) / 6;
        double expected = 0;
        for (double gi : gr.data()) {
            if (gi > 0) {
                expected += gi * gi / (2 * gi * gi + 10 * gi * gi * gi) * gi; // Σ A = 10
            }
        }
        assertEquals(expected, w[0][0], 1e-9);
        Tensor plus = GradCam.combine(a, w);
        Tensor grad = GradCam.combine(a, new double[][] {{meanG}});
        for (int i = 0; i < a.size(); i++) {
            assertEquals(grad.data()[i] * expected / meanG, plus.data()[i], 1e-6);
        }
    }
}
