package dev.loupe.explain.parity;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Tensor;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Target;
import dev.loupe.explain.cam.CamLayers;
import dev.loupe.explain.compare.RankCorrelation;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lecture's claim, measured: guided backpropagation barely changes when the explained class
 * changes (it reconstructs the input), Grad-CAM does. For each parity model we compare the maps
 * for the top class and the bottom class by Spearman rank correlation.
 */
class ClassDiscriminationTest {
    @Test
    void guidedBackpropIsLessClassDiscriminativeThanGradCam() {
        int wins = 0;
        for (String model : ParityTest.MODELS) {
            ParityTest.Fixture f = ParityTest.fixture(model);
            Tensor logits = f.trace().get(f.graph().outputs().get(0).name());
            int top = 0;
            int bottom = 0;
            for (int k = 1; k < logits.dim(1); k++) {
                top = logits.data()[k] > logits.data()[top] ? k : top;
                bottom = logits.data()[k] < logits.data()[bottom] ? k : bottom;
            }
            double guided = RankCorrelation.spearman(map(f, "guided-backprop", top), map(f, "guided-backprop", bottom));
            double cam = RankCorrelation.spearman(map(f, "gradcam", top), map(f, "gradcam", bottom));
            System.out.printf("DISCRIMINATION %-17s layer %-28s rho(guided) %.3f  rho(gradcam) %.3f%n", model,
                    CamLayers.defaultLayer(f.trace()), guided, cam);
            if (Double.isNaN(cam) || guided > cam) {
                wins++;
            }
        }
        assertTrue(wins >= 4, "guided backprop should correlate across classes more than Grad-CAM on most models");
    }

    private static Tensor map(ParityTest.Fixture f, String method, int cls) {
        return Explainers.explain(f.trace(), method, Target.of(cls), Map.of(), null).map();
    }
}
