package dev.loupe.explain.perturbation;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.Models;
import dev.loupe.explain.OrderedBatches;
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
    /**
     * Most masks in one thread's forward batch when the threads each take batches
     * ({@link OrderedBatches}); 0, the default, forwards the caller's masks as one batch with every
     * op split over the threads. Per-thread batches of 8 measured no faster for Score-CAM (1.008,
     * 4 rounds) and slower for RISE (1.085 and 1.084 with batches of 4) on a 2-core Zen 3 (session
     * 17, BENCHMARKS.md): RISE hands over 16 masks at a time, so each call ends in a join.
     */
    static final int PER_THREAD = Integer.getInteger("loupe.masked.per-thread", 0);

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
        return evaluate(graph, image, fill, masks, target, context, PER_THREAD);
    }

    /** As above, with at most {@code perThread} masks per thread's batch, or one batch split op by op if 0. */
    static float[] evaluate(Graph graph, Tensor image, Tensor fill, List<float[]> masks, ResolvedTarget target,
            RunContext context, int perThread) {
        int k = masks.size();
        float[] scores = new float[k];
        int cls = target.classOf(0);
        int contrast = target.contrast();
        // perThread > 0: sub-batches of masks on all threads at once, each forwarded with serial kernels.
        OrderedBatches.run(k, k, Math.max(1, perThread), perThread > 0,
                (from, to) -> Models.logits(graph, masked(image, fill, masks, from, to)),
                (from, to, logits) -> {
                    context.countForward();
                    for (int j = from; j < to; j++) {
                        scores[j] = probabilityScore(logits, j - from, cls, contrast);
                    }
                });
        return scores;
    }

    /** The image under masks {@code [from, to)}, one copy per mask, as a batch. */
    private static Tensor masked(Tensor image, Tensor fill, List<float[]> masks, int from, int to) {
        int c = image.dim(1);
        int hw = image.dim(2) * image.dim(3);
        float[] x = image.data();
        float[] f = fill == null ? null : fill.data();
        float[] batch = new float[(to - from) * x.length];
        for (int j = from; j < to; j++) {
            float[] m = masks.get(j);
            int base = (j - from) * x.length;
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
        shape[0] = to - from;
        return new Tensor(shape, batch);
    }

    /** {@code p_class} of row {@code row}, minus {@code p_contrast} when {@code contrast >= 0}. */
    public static float probabilityScore(Tensor logits, int row, int cls, int contrast) {
        float[] p = Scores.softmax(logits, row);
        return contrast >= 0 ? p[cls] - p[contrast] : p[cls];
    }
}
