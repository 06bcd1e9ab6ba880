package dev.loupe.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.cam.CamLayers;
import dev.loupe.explain.testing.SyntheticModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExplainersTest {
    private final Graph graph = SyntheticModels.quadrant();
    private final Tensor x = SyntheticModels.quadrantImage();

    @Test
    void unknownMethodListsTheMethods() {
        var e = assertThrows(IllegalArgumentException.class, () -> Explainers.explain(graph, x, "shap", Target.of(1), Map.of()));
        for (String m : Explainers.methodNames()) {
            assertTrue(e.getMessage().contains(m), e.getMessage());
        }
    }

    @Test
    void unknownOptionListsTheOptions() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(graph, x, "occlusion", Target.of(1), Map.of("windw", "4")));
        assertTrue(e.getMessage().contains("window") && e.getMessage().contains("stride"), e.getMessage());
    }

    @Test
    void badValuesAreExplained() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(graph, x, "integrated-gradients", Target.of(1), Map.of("integration", "simpson")));
        assertTrue(e.getMessage().contains("gauss-legendre"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(graph, x, "occlusion", Target.of(1), Map.of("fill", "gray")));
        assertTrue(e.getMessage().contains("mean") && e.getMessage().contains("std"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(graph, x, "smoothgrad", Target.of(1), Map.of("samples", "many")));
        assertTrue(e.getMessage().contains("integer"), e.getMessage());
    }

    @Test
    void unknownLayerNamesSimilarTensors() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(graph, x, "gradcam", Target.of(1), Map.of("layer", "feature")));
        assertTrue(e.getMessage().contains("features"), e.getMessage());
    }

    @Test
    void targetOutOfRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> Explainers.explain(graph, x, "saliency", Target.of(7), Map.of()));
        assertTrue(e.getMessage().contains("0..1"), e.getMessage());
    }

    @Test
    void predictedTargetAndScores() {
        Attribution a = Explainers.explain(graph, x, "saliency", Target.predicted(), Map.of());
        assertEquals(1, a.targetClass());
        assertTrue(a.probability() > 0.5 && a.probability() <= 1);
        assertEquals(1, a.backwardPasses());
    }

    @Test
    void defaultCamLayerIsTheLastFeatureMap() {
        assertEquals("features", CamLayers.defaultLayer(Explainers.forward(graph, x)));
    }

    @Test
    void compareReusesOneForwardPass() {
        List<Attribution> all = Explainers.compare(graph, x, List.of("saliency", "deconvnet", "guided-backprop", "gradcam"),
                Target.of(1), Map.of(), Progress.NONE);
        assertEquals(4, all.size());
        for (Attribution a : all) {
            assertEquals(0, a.forwardPasses(), a.method() + " ran its own forward pass");
        }
    }

    @Test
    void progressIsReported() {
        List<long[]> seen = new ArrayList<>();
        Explainers.explain(graph, x, "occlusion", Target.of(1), Map.of("window", "4", "stride", "4", "batch", "5"),
                (done, total) -> seen.add(new long[] {done, total}));
        // One update per batch: batches hold at most 5 windows (the threads may each take smaller ones).
        assertTrue(seen.size() >= 4, "updates: " + seen.size());
        long before = 0;
        for (long[] u : seen) {
            assertEquals(16, u[1]);
            assertTrue(u[0] > before && u[0] - before <= 5, "progress went from " + before + " to " + u[0]);
            before = u[0];
        }
        assertEquals(16, before);
    }

    @Test
    void contrastExplainsTheLogitDifference() {
        Trace t = Explainers.forward(graph, x);
        Attribution c = Explainers.explain(t, "saliency", Target.contrast(1, 0), Map.of(), null);
        Attribution a1 = Explainers.explain(t, "saliency", Target.of(1), Map.of(), null);
        Attribution a0 = Explainers.explain(t, "saliency", Target.of(0), Map.of(), null);
        for (int i = 0; i < c.map().size(); i++) {
            assertEquals(a1.map().data()[i] - a0.map().data()[i], c.map().data()[i], 1e-6);
        }
        assertEquals(a1.score() - a0.score(), c.score(), 1e-6);
    }

    @Test
    void targetedMethodsAreRegisteredWithTheirOptions() {
        assertTrue(Explainers.methodNames().containsAll(List.of("gradcam++", "cam", "counterfactual", "score-cam", "rise", "lime")));
        assertEquals(java.util.Set.of("batch", "cell", "masks", "probability", "seed"), Explainers.optionNames("rise"));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(graph, x, "lime", Target.of(1), Map.of("segmnts", "9")));
        assertTrue(e.getMessage().contains("segments") && e.getMessage().contains("kernel-width"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(graph, x, "rise", Target.of(1), Map.of("probability", "1.5")));
        assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(graph, x, "gradcam++", Target.of(1), Map.of("upsample", "cubic")));
        assertTrue(e.getMessage().contains("bilinear") && e.getMessage().contains("nearest"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Explainers.explain(graph, x, "guided-gradcam", Target.of(1), Map.of("upsample", "none")));
        assertTrue(e.getMessage().contains("bilinear"), e.getMessage());
    }

    @Test
    void guidedGradCamUpsamplesBilinearlyByDefault() {
        Trace t = Explainers.forward(graph, x);
        Attribution byDefault = Explainers.explain(t, "guided-gradcam", Target.of(1), Map.of(), null);
        Attribution bilinear = Explainers.explain(t, "guided-gradcam", Target.of(1), Map.of("upsample", "bilinear"), null);
        assertEquals("bilinear", byDefault.info().get("upsample"));
        org.junit.jupiter.api.Assertions.assertArrayEquals(bilinear.map().data(), byDefault.map().data());
    }
}
