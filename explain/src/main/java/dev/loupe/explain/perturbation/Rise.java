package dev.loupe.explain.perturbation;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Attributor;
import dev.loupe.explain.Images;
import dev.loupe.explain.Models;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import dev.loupe.explain.cam.Upsample;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * RISE (Petsiuk et al., BMVC 2018): the saliency of a pixel is the expected target score over
 * random masks that keep it, {@code S = Σ_i f(x ⊙ M_i) · M_i / (N · p)}.
 *
 * <p>Masks follow the paper: a binary grid of {@code ceil(H/cell) + 1} × {@code ceil(W/cell) + 1}
 * cells, each 1 with probability {@code p}, upsampled bilinearly to {@code (cells) · cell} pixels
 * per axis and cropped to H × W at a random offset in {@code [0, cell)} per axis, so the soft mask
 * edges fall anywhere. Masked-out pixels become 0 in model space (the dataset mean for a normalised
 * input). The score {@code f} is the target's softmax probability ({@code p_P − p_Q} for a
 * contrast). Masks come from a {@link SplittableRandom} seeded with {@code seed}, drawn in a fixed
 * order, so the map depends only on the options, not on the batch size. Every item of a batch is
 * explained with the same masks. The map is [N, 1, H, W].
 */
public final class Rise implements Attributor {
    public record Options(int masks, int cell, double probability, long seed, int batch) {
        public Options {
            if (masks < 1 || cell < 1 || batch < 1) {
                throw new IllegalArgumentException("masks, cell and batch must be positive (masks=" + masks + ", cell=" + cell
                        + ", batch=" + batch + ")");
            }
            if (!(probability > 0 && probability <= 1)) {
                throw new IllegalArgumentException("probability must be in (0, 1], got " + probability);
            }
        }
    }

    private final Options options;

    public Rise(Options options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "rise";
    }

    /** The default cell size for an H × W input: a 7 × 7 grid over the shorter side, as in the paper for 224 px. */
    public static int defaultCell(int h, int w) {
        return Math.max(1, (int) Math.ceil(Math.min(h, w) / 7.0));
    }

    @Override
    public Tensor attribute(Trace trace, ResolvedTarget target, RunContext context) {
        Graph graph = Models.batchable(trace.graph());
        Tensor input = trace.get(Models.inputName(graph));
        Images.requireImage(input, "the RISE input");
        int n = input.dim(0);
        int h = input.dim(2);
        int w = input.dim(3);
        int hw = h * w;
        double[][] sum = new double[n][hw];
        SplittableRandom rnd = new SplittableRandom(options.seed());
        long total = (long) options.masks() * n;
        for (int m0 = 0; m0 < options.masks(); m0 += options.batch()) {
            int k = Math.min(options.batch(), options.masks() - m0);
            List<float[]> masks = new ArrayList<>(k);
            for (int j = 0; j < k; j++) {
                masks.add(mask(rnd, h, w, options.cell(), options.probability()));
            }
            for (int b = 0; b < n; b++) {
                float[] s = MaskedScores.evaluate(graph, Images.item(input, b), null, masks, target.repeat(b, 1), context);
                for (int j = 0; j < k; j++) {
                    float[] mk = masks.get(j);
                    double sj = s[j];
                    for (int i = 0; i < hw; i++) {
                        sum[b][i] += sj * mk[i];
                    }
                }
                context.progress().update((long) m0 * n + (long) (b + 1) * k, total);
            }
        }
        float[] out = new float[n * hw];
        double norm = options.masks() * options.probability();
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < hw; i++) {
                out[b * hw + i] = (float) (sum[b][i] / norm);
            }
        }
        return new Tensor(new int[] {n, 1, h, w}, out);
    }

    /** One soft mask of H·W values in [0, 1]. */
    static float[] mask(SplittableRandom rnd, int h, int w, int cell, double p) {
        int gh = (h + cell - 1) / cell + 1;
        int gw = (w + cell - 1) / cell + 1;
        float[] grid = new float[gh * gw];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = rnd.nextDouble() < p ? 1f : 0f;
        }
        int dy = rnd.nextInt(cell);
        int dx = rnd.nextInt(cell);
        int uh = gh * cell;
        int uw = gw * cell;
        float[] up = Upsample.bilinear(new Tensor(new int[] {1, 1, gh, gw}, grid), uh, uw).data();
        float[] m = new float[h * w];
        for (int y = 0; y < h; y++) {
            System.arraycopy(up, (y + dy) * uw + dx, m, y * w, w);
        }
        return m;
    }
}
