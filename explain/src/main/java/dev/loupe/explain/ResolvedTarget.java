package dev.loupe.explain;

import dev.loupe.engine.Tensor;

/**
 * A {@link Target} fixed for a batch: one class per item and an optional contrast class
 * ({@code -1} for none). It builds the backward seed and reads the explained score, so every
 * method agrees on what "the score" is.
 */
public record ResolvedTarget(int[] classes, int contrast) {
    public ResolvedTarget {
        classes = classes.clone();
    }

    public int size() {
        return classes.length;
    }

    public int classOf(int item) {
        return classes[item];
    }

    /** The same target for one item, repeated {@code times} (for a batch of perturbed copies of it). */
    public ResolvedTarget repeat(int item, int times) {
        int[] c = new int[times];
        java.util.Arrays.fill(c, classes[item]);
        return new ResolvedTarget(c, contrast);
    }

    /** The gradient seed at the output: {@code d score / d logits} for each item. */
    public Tensor seed(Tensor logits) {
        check(logits);
        int n = logits.dim(0);
        int c = logits.dim(1);
        int inner = logits.size() / (n * c);
        Tensor seed = Tensor.zeros(logits.shape());
        float[] s = seed.data();
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < inner; j++) {
                s[(b * c + classes[b]) * inner + j] += 1f;
                if (contrast >= 0) {
                    s[(b * c + contrast) * inner + j] -= 1f;
                }
            }
        }
        return seed;
    }

    /** The explained score of {@code item}: its class logit, minus the contrast logit if any. */
    public float score(Tensor logits, int item) {
        check(logits);
        float v = value(logits, item, classes[item]);
        return contrast >= 0 ? v - value(logits, item, contrast) : v;
    }

    /** The softmax probability of the item's class (of the contrast-free class when contrasting). */
    public float probability(Tensor logits, int item) {
        check(logits);
        return Scores.softmax(logits, item)[classes[item]];
    }

    private void check(Tensor logits) {
        if (logits.dim(0) != classes.length) {
            throw new IllegalArgumentException(classes.length + " targets for a batch of " + logits.dim(0));
        }
    }

    private static float value(Tensor logits, int item, int k) {
        int c = logits.dim(1);
        int inner = logits.size() / (logits.dim(0) * c);
        float sum = 0;
        for (int j = 0; j < inner; j++) {
            sum += logits.data()[(item * c + k) * inner + j];
        }
        return sum;
    }
}
