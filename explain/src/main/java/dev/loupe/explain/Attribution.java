package dev.loupe.explain;

import dev.loupe.engine.Tensor;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of one explanation.
 *
 * @param map the attribution: shaped like the input, except for Grad-CAM without upsampling,
 *     which is [N, 1, h, w] at the layer's resolution
 * @param method the method name as {@link Explainers#methodNames()} spells it
 * @param target the requested target
 * @param classes the explained class of each batch item
 * @param scores the explained score (logit, or logit difference for a contrast) of each item on the unperturbed input
 * @param probabilities the softmax probability of each item's class
 * @param layer the tensor a layer method worked at, or {@code null}
 * @param elapsed wall-clock time of the whole explanation, excluding a forward pass reused from a given trace
 * @param forwardPasses forward passes run (a batch counts once)
 * @param backwardPasses backward passes run
 * @param info method-specific extras, for example {@code completenessGap} for integrated
 *     gradients or {@code probabilityDrop} (a Tensor) for occlusion
 */
public record Attribution(Tensor map, String method, Target target, int[] classes, float[] scores,
        float[] probabilities, String layer, Duration elapsed, int forwardPasses, int backwardPasses,
        Map<String, Object> info) {
    public Attribution {
        classes = classes.clone();
        scores = scores.clone();
        probabilities = probabilities.clone();
        info = Collections.unmodifiableMap(new LinkedHashMap<>(info));
    }

    /** The class of the first (usually only) item. */
    public int targetClass() {
        return classes[0];
    }

    public float score() {
        return scores[0];
    }

    public float probability() {
        return probabilities[0];
    }
}
