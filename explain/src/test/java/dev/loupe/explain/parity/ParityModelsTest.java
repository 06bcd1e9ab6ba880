package dev.loupe.explain.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.explain.Explainers;
import dev.loupe.explain.Target;
import dev.loupe.explain.cam.CamLayers;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Properties checked on the real parity models rather than against references. */
class ParityModelsTest {
    @Test
    void defaultCamLayerIsTheManifestLayer() {
        for (String model : ParityTest.MODELS) {
            ParityTest.Fixture f = ParityTest.fixture(model);
            assertEquals(f.layer(), CamLayers.defaultLayer(f.trace()), model);
        }
    }

    @Test
    void integratedGradientsGapShrinksWithSteps() {
        ParityTest.Fixture f = ParityTest.fixture("tiny_vgg");
        double previous = Double.POSITIVE_INFINITY;
        for (int steps : new int[] {8, 32, 128}) {
            float gap = (float) Explainers.explain(f.trace(), "integrated-gradients", Target.of(f.target()),
                    Map.of("steps", String.valueOf(steps)), null).info().get("completenessGap");
            System.out.printf("IG tiny_vgg steps %d gap %.3e%n", steps, gap);
            assertTrue(Math.abs(gap) < previous, "gap did not shrink at " + steps + " steps: " + gap);
            previous = Math.abs(gap);
        }
    }
}
