package dev.loupe.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.train.ModelBuilder;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One-shot explanations recycle their trace's arrays for the next call (see
 * {@link dev.loupe.engine.Buffers}); an attribution already returned must survive that. The
 * activations and input gradients here are large enough to be pooled, and tests run with
 * recycled arrays poisoned.
 */
class ExplainersRecyclingTest {
    private final Graph graph = new ModelBuilder(3, 48, 48, 17).conv(8, 3, 1).relu().conv(8, 3, 1).relu().maxPool(2)
            .flatten().dense(4).build();

    private static Tensor image(long seed) {
        Random r = new Random(seed);
        Tensor x = Tensor.zeros(1, 3, 48, 48);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = r.nextFloat();
        }
        return x;
    }

    private static final Map<String, Map<String, String>> METHODS = Map.of(
            "saliency", Map.of(),
            "guided-backprop", Map.of(),
            "gradcam", Map.of(),
            "smoothgrad", Map.of("samples", "4", "batch", "2"),
            "integrated-gradients", Map.of("steps", "4", "batch", "3"),
            "occlusion", Map.of("window", "12", "stride", "12"));

    @Test
    void anAttributionStaysIntactWhileLaterCallsReuseTheArrays() {
        Tensor x1 = image(1);
        Tensor x2 = image(2);
        for (var m : METHODS.entrySet()) {
            Attribution first = Explainers.explain(graph, x1, m.getKey(), Target.of(1), m.getValue());
            float[] kept = first.map().data().clone();
            Explainers.explain(graph, x2, m.getKey(), Target.of(2), m.getValue());
            assertArrayEquals(kept, first.map().data(), m.getKey() + ": a returned map was overwritten by a later call");
            Attribution again = Explainers.explain(graph, x1, m.getKey(), Target.of(1), m.getValue());
            assertArrayEquals(kept, again.map().data(), m.getKey() + ": the same call gave other values after recycling");
        }
    }

    @Test
    void compareGivesEachMethodItsOwnIntactMap() {
        Tensor x = image(3);
        List<String> names = List.of("saliency", "guided-backprop", "gradcam");
        List<Attribution> together = Explainers.compare(graph, x, names, Target.of(0), Map.of(), Progress.NONE);
        List<float[]> kept = together.stream().map(a -> a.map().data().clone()).toList();
        Explainers.compare(graph, image(4), names, Target.of(3), Map.of(), Progress.NONE);
        for (int i = 0; i < names.size(); i++) {
            assertArrayEquals(kept.get(i), together.get(i).map().data(), names.get(i) + ": overwritten by a later call");
            Attribution alone = Explainers.explain(graph, x, names.get(i), Target.of(0), Map.of());
            assertArrayEquals(alone.map().data(), together.get(i).map().data(), names.get(i));
        }
    }
}
