package dev.loupe.explain;

import dev.loupe.engine.Tensor;

/**
 * What to explain: a class index, or the predicted class when none is given, optionally against a
 * contrast class (the explained score is then {@code y_class - y_contrast}). Resolved per batch
 * item against the model's logits.
 *
 * @param classIndex the class, or {@code null} for each item's top-scoring class
 * @param contrast a class to contrast with, or {@code null}
 */
public record Target(Integer classIndex, Integer contrast) {
    /** The model's own prediction for each item. */
    public static Target predicted() {
        return new Target(null, null);
    }

    public static Target of(int classIndex) {
        return new Target(classIndex, null);
    }

    /** {@code classIndex} contrasted with {@code contrast}: explains {@code y_class - y_contrast}. */
    public static Target contrast(int classIndex, int contrast) {
        return new Target(classIndex, contrast);
    }

    /**
     * Picks the class for each item of {@code logits} ([N, C]) and checks the indices.
     *
     * @throws IllegalArgumentException if a class is out of range
     */
    public ResolvedTarget resolve(Tensor logits) {
        if (logits.rank() < 2) {
            throw new IllegalArgumentException("the model output has shape " + Tensor.shapeString(logits.shape())
                    + "; expected [batch, classes]");
        }
        int n = logits.dim(0);
        int c = logits.dim(1);
        int[] classes = new int[n];
        for (int b = 0; b < n; b++) {
            classes[b] = classIndex != null ? classIndex : argmax(logits, b);
        }
        check(classIndex, c, "class");
        check(contrast, c, "contrast class");
        if (contrast != null && classIndex == null) {
            throw new IllegalArgumentException("a contrast class needs an explicit target class");
        }
        return new ResolvedTarget(classes, contrast == null ? -1 : contrast);
    }

    private static void check(Integer k, int c, String what) {
        if (k != null && (k < 0 || k >= c)) {
            throw new IllegalArgumentException(what + " " + k + " is out of range: the model has " + c
                    + " classes (0.." + (c - 1) + ")");
        }
    }

    private static int argmax(Tensor logits, int item) {
        int c = logits.dim(1);
        int inner = logits.size() / (logits.dim(0) * c);
        float[] d = logits.data();
        int best = 0;
        for (int k = 1; k < c; k++) {
            if (d[(item * c + k) * inner] > d[(item * c + best) * inner]) {
                best = k;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        String s = classIndex == null ? "predicted" : "class " + classIndex;
        return contrast == null ? s : s + " vs " + contrast;
    }
}
