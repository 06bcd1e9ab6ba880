package dev.loupe.explain;

import dev.loupe.engine.Tensor;

/** Reading class scores: softmax over the class axis of a [N, C] output. */
public final class Scores {
    private Scores() {
    }

    /** Softmax of item {@code item} of a [N, C] tensor, computed in double for stability. */
    public static float[] softmax(Tensor logits, int item) {
        int c = logits.dim(1);
        int inner = logits.size() / (logits.dim(0) * c);
        float[] d = logits.data();
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < c; k++) {
            max = Math.max(max, d[(item * c + k) * inner]);
        }
        double sum = 0;
        double[] e = new double[c];
        for (int k = 0; k < c; k++) {
            e[k] = Math.exp(d[(item * c + k) * inner] - max);
            sum += e[k];
        }
        float[] p = new float[c];
        for (int k = 0; k < c; k++) {
            p[k] = (float) (e[k] / sum);
        }
        return p;
    }
}
