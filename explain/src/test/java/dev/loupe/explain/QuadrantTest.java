package dev.loupe.explain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.testing.SyntheticModels;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A model whose class 1 depends only on the top-left quadrant must get maps concentrated there,
 * whatever the method: a sanity check that each method explains the right thing.
 */
class QuadrantTest {
    @ParameterizedTest
    @ValueSource(strings = {"saliency", "deconvnet", "guided-backprop", "occlusion", "integrated-gradients", "smoothgrad",
            "gradcam", "guided-gradcam", "gradcam++"})
    void lightsUpTheTopLeftQuadrant(String method) {
        Graph g = SyntheticModels.quadrant();
        Tensor x = SyntheticModels.quadrantImage();
        Map<String, String> opts = switch (method) {
            case "occlusion" -> Map.of("window", "4", "stride", "2");
            case "smoothgrad" -> Map.of("samples", "20", "noise", "0.1");
            case "integrated-gradients" -> Map.of("steps", "20");
            case "gradcam", "gradcam++" -> Map.of("upsample", "nearest");
            default -> Map.of();
        };
        Attribution a = Explainers.explain(g, x, method, Target.of(1), opts);
        assertTrue(a.score() > 0.01, "the image should score for class 1: " + a.score());
        Tensor m = a.map();
        int h = m.dim(2);
        int w = m.dim(3);
        double inside = 0;
        double total = 0;
        for (int c = 0; c < m.dim(1); c++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double v = Math.abs(m.get(0, c, y, xx));
                    total += v;
                    if (y < h / 2 && xx < w / 2) {
                        inside += v;
                    }
                }
            }
        }
        assertTrue(total > 0, method + " gave an all-zero map");
        assertTrue(inside / total > 0.9, method + ": only " + inside / total + " of the attribution is in the top-left quadrant");
    }
}
