package dev.loupe.explain.cam;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Images;
import dev.loupe.explain.Models;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import dev.loupe.explain.perturbation.MaskedScores;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Score-CAM (Wang et al., CVPR-W 2020), gradient-free: each channel {@code A_k} of the layer is
 * upsampled bilinearly to the input size and min-max normalised to [0, 1]; the input is multiplied
 * by it and run forward; the target's softmax probability on that masked input is the channel's
 * weight {@code s_k}. The map is {@code relu(Σ_k s_k A_k)} at the layer's resolution, [N, 1, h, w].
 * Because bilinear upsampling is linear, upsampling this map bilinearly gives exactly the authors'
 * map (which sums the upsampled, unnormalised channels). Channels with a constant activation give
 * no mask and weight 0, as in the authors' code. Masked-out pixels become 0 in model space (the
 * dataset mean for a normalised input). For a contrast P vs Q the weight is {@code p_P − p_Q}.
 *
 * <p>Channels are evaluated {@code batch} at a time, with progress reported per batch. With
 * {@code maxChannels > 0} only that many channels are evaluated per item — those with the largest
 * spatial mean activation, which is what a global-average-pooling head sees — and the rest get
 * weight 0.
 */
public final class ScoreCam {
    public record Options(int batch, int maxChannels) {
        public Options {
            if (batch < 1 || maxChannels < 0) {
                throw new IllegalArgumentException("batch must be positive and max-channels non-negative (batch=" + batch
                        + ", max-channels=" + maxChannels + ")");
            }
        }
    }

    private ScoreCam() {
    }

    public static Tensor compute(Trace trace, String layer, ResolvedTarget target, Options options, RunContext context) {
        Tensor a = GradCam.activation(trace, layer, "Score-CAM");
        Graph graph = Models.batchable(trace.graph());
        Tensor input = trace.get(Models.inputName(graph));
        Images.requireImage(input, "the Score-CAM input");
        int n = a.dim(0);
        int k = a.dim(1);
        int h = a.dim(2);
        int w = a.dim(3);
        int hh = input.dim(2);
        int ww = input.dim(3);
        int per = options.maxChannels() == 0 ? k : Math.min(k, options.maxChannels());
        long total = (long) n * per;
        double[][] weights = new double[n][k];
        for (int b = 0; b < n; b++) {
            Tensor x = Images.item(input, b);
            int[] channels = channels(a, b, per);
            ResolvedTarget rt = target.repeat(b, 1);
            for (int c0 = 0; c0 < per; c0 += options.batch()) {
                int m = Math.min(options.batch(), per - c0);
                List<float[]> masks = new ArrayList<>();
                List<Integer> which = new ArrayList<>();
                for (int j = 0; j < m; j++) {
                    int ch = channels[c0 + j];
                    float[] mask = normalisedMask(a, b, ch, h, w, hh, ww);
                    if (mask != null) {
                        masks.add(mask);
                        which.add(ch);
                    }
                }
                if (!masks.isEmpty()) {
                    float[] s = MaskedScores.evaluate(graph, x, null, masks, rt, context);
                    for (int j = 0; j < s.length; j++) {
                        weights[b][which.get(j)] = s[j];
                    }
                }
                context.progress().update((long) b * per + c0 + m, total);
            }
        }
        return GradCam.combine(a, weights);
    }

    /** The {@code count} channels of item {@code b} to evaluate, by decreasing mean activation. */
    private static int[] channels(Tensor a, int b, int count) {
        int k = a.dim(1);
        if (count == k) {
            return IntStream.range(0, k).toArray();
        }
        int hw = a.dim(2) * a.dim(3);
        double[] mean = new double[k];
        for (int ch = 0; ch < k; ch++) {
            double s = 0;
            for (int i = 0; i < hw; i++) {
                s += a.data()[(b * k + ch) * hw + i];
            }
            mean[ch] = s / hw;
        }
        Integer[] idx = IntStream.range(0, k).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -mean[i]).thenComparingInt(i -> i));
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    /** Channel {@code ch} of item {@code b} upsampled to H×W and scaled to [0, 1]; null if constant. */
    private static float[] normalisedMask(Tensor a, int b, int ch, int h, int w, int hh, int ww) {
        int hw = h * w;
        float[] plane = Arrays.copyOfRange(a.data(), (b * a.dim(1) + ch) * hw, (b * a.dim(1) + ch + 1) * hw);
        float[] up = Upsample.bilinear(new Tensor(new int[] {1, 1, h, w}, plane), hh, ww).data();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : up) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (!(hi > lo)) {
            return null;
        }
        float range = hi - lo;
        for (int i = 0; i < up.length; i++) {
            up[i] = (up[i] - lo) / range;
        }
        return up;
    }
}
