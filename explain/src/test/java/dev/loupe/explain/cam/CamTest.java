package dev.loupe.explain.cam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Attribution;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Target;
import dev.loupe.explain.testing.SyntheticModels;
import dev.loupe.explain.testing.TargetedModels;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * CAM against Grad-CAM on GAP + linear models. With {@code logits = W · mean_ij(A) + b},
 * {@code ∂y_c/∂A_k[i,j] = W[c,k] / (h·w)} at every position, so Grad-CAM's weights are
 * {@code W[c,k] / (h·w)} and CAM = (h·w) · Grad-CAM exactly, before and after the ReLU.
 */
class CamTest {
    @ParameterizedTest
    @EnumSource(TargetedModels.Head.class)
    void camIsGradCamTimesTheNumberOfPositions(TargetedModels.Head head) {
        // 3 channels and 3 classes: a square weight, so reading it the wrong way round would show.
        Graph g = TargetedModels.gapLinear(11, 3, 3, head);
        Tensor x = SyntheticModels.randomImage(4, 2, 3, 8, 8);
        Trace t = Explainers.forward(g, x);
        for (int c = 0; c < 3; c++) {
            Attribution cam = Explainers.explain(t, "cam", Target.of(c), Map.of(), null);
            Attribution grad = Explainers.explain(t, "gradcam", Target.of(c), Map.of("layer", "features"), null);
            assertEquals("features", cam.layer());
            assertEquals(0, cam.backwardPasses());
            double max = 0;
            for (float v : cam.map().data()) {
                max = Math.max(max, v);
            }
            assertTrue(max > 0, "class " + c + " has an empty CAM");
            for (int i = 0; i < cam.map().size(); i++) {
                assertEquals(64 * grad.map().data()[i], cam.map().data()[i], 1e-5 * max, head + " class " + c + " at " + i);
            }
        }
        // Contrast: W[P] − W[Q] against the gradient of y_P − y_Q.
        Attribution cam = Explainers.explain(t, "cam", Target.contrast(0, 2), Map.of("upsample", "nearest"), null);
        Attribution grad = Explainers.explain(t, "gradcam", Target.contrast(0, 2), Map.of("upsample", "nearest"), null);
        for (int i = 0; i < cam.map().size(); i++) {
            assertEquals(64 * grad.map().data()[i], cam.map().data()[i], 1e-4);
        }
    }

    @Test
    void modelsWithoutTheHeadGetAClearError() {
        Graph g = SyntheticModels.quadrant(); // dense layer on the flattened feature map, no pooling
        var e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(g, SyntheticModels.quadrantImage(), "cam", Target.of(1), Map.of()));
        assertTrue(e.getMessage().contains("GlobalAveragePool") && e.getMessage().contains("Gemm 'fc'")
                && e.getMessage().contains("gradcam"), e.getMessage());
        Graph smooth = SyntheticModels.smooth(1); // GAP + dense, but the weight is inside the op
        e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(smooth, SyntheticModels.randomImage(1, 1, 3, 8, 8), "cam", Target.of(0), Map.of()));
        assertTrue(e.getMessage().contains("constant weight"), e.getMessage());
    }
}
