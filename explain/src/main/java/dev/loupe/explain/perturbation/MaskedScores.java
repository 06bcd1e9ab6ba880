package dev.loupe.explain.perturbation;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.Models;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import dev.loupe.explain.Scores;
import java.util.List;

/**
 * Evaluates one image under a batch of per-pixel masks in one forward pass:
 * {@code x·m + fill·(1 − m)} for each mask {@code m} (values in [0, 1], one per pixel, shared by
 * the channels), and returns the target's softmax probability for each — the score RISE,
 * Score-CAM and LIME weight their masks by. For a contrast P vs Q the score is
 * {@code p_P − p_Q}, the probability margin of P over Q.
 */
public final class MaskedScores {
    private MaskedScores() {
    }

    /**
     * @param graph a batchable graph ({@link Models#batchable})
     * @param image one item, [1, C, H, W]
     * @param fill what masked-out pixels become, shaped like {@code image}; {@code null} for zeros
     * @param masks each of length H·W
     * @param target the target of the item ({@code classOf(0)} is used)
     */
    public static float[] evaluate(Graph graph, Tensor image, Tensor fill, List<float[]> masks, ResolvedTarget target,
            RunContext context) {
        int k = masks.size();
        int c = image.dim(1);
        int hw = image.dim(2) * image.dim(3);
        float[] x = image.data();
        float[] f = fill == null ? null : fill.data();
        float[] batch = new float[k * x.length];
        for (int j = 0; j < k; j++) {
            float[] m = masks.get(j);
            int base = j * x.length;
            for (int ch = 0; ch < c; ch++) {
                int off = ch * hw;
                for (int i = 0; i < hw; i++) {
                    float v = x[off + i] * m[i];
                    if (f != null) {
                        v += f[off + i] * (1 - m[i]);
                    }
                    batch[base + off + i] = v;
                }
            }
        }
        int[] shape = image.shape();
        shape[0] = k;
        Tensor logits = Models.logits(graph, new Tensor(shape, batch));
        context.countForward();
        float[] scores = new float[k];
        for (int j = 0; j < k; j++) {
            scores[j] = probabilityScore(logits, j, target.classOf(0), target.contrast());
        }
        return scores;
    }

    /** {@code p_class} of row {@code row}, minus {@code p_contrast} when {@code contrast >= 0}. */
    public static float probabilityScore(Tensor logits, int row, int cls, int contrast) {
        float[] p = Scores.softmax(logits, row);
        return contrast >= 0 ? p[cls] - p[contrast] : p[cls];
    }
}
