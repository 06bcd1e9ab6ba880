package dev.loupe.render;

import dev.loupe.engine.Tensor;
import dev.loupe.explain.Scores;
import java.util.ArrayList;
import java.util.List;

/** The best-scoring classes of a batch item, with softmax probabilities, for printing predictions. */
public final class TopK {
    /** One ranked class. */
    public record Entry(int rank, int index, float probability, float logit) {
    }

    private TopK() {
    }

    public static List<Entry> of(Tensor logits, int item, int k) {
        if (logits.rank() < 2) {
            throw new IllegalArgumentException("the model output has shape " + Tensor.shapeString(logits.shape())
                    + "; expected [batch, classes]");
        }
        int c = logits.dim(1);
        int inner = logits.size() / (logits.dim(0) * c);
        float[] p = Scores.softmax(logits, item);
        float[] d = logits.data();
        Integer[] order = new Integer[c];
        for (int i = 0; i < c; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(d[(item * c + b) * inner], d[(item * c + a) * inner]));
        List<Entry> out = new ArrayList<>();
        for (int r = 0; r < Math.min(k, c); r++) {
            int idx = order[r];
            out.add(new Entry(r + 1, idx, p[idx], d[(item * c + idx) * inner]));
        }
        return out;
    }
}
