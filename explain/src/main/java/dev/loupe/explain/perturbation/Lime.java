package dev.loupe.explain.perturbation;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Attributor;
import dev.loupe.explain.Images;
import dev.loupe.explain.Models;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import dev.loupe.explain.segmentation.Slic;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * LIME for images (Ribeiro et al., KDD 2016), following the {@code lime} package's image explainer:
 * <ol>
 *   <li>the image is cut into superpixels by {@link Slic} ({@code segments} requested);</li>
 *   <li>{@code samples} binary vectors {@code z} switch superpixels on or off, each with
 *       probability ½; the first sample is the unperturbed image (all on); off superpixels are
 *       replaced by the {@link Fill} (default: each channel's mean over the image);</li>
 *   <li>each sample's score is the target's softmax probability ({@code p_P − p_Q} for a contrast);</li>
 *   <li>samples are weighted by the exponential kernel {@code sqrt(exp(−d² / width²))} of the cosine
 *       distance {@code d} between {@code z} and the all-on vector ({@code lime}'s kernel, default
 *       width 0.25);</li>
 *   <li>a weighted ridge regression (penalty 1 on the coefficients, free intercept, as
 *       {@code lime}'s default {@code Ridge(alpha=1)}) of the scores on {@code z} is solved through
 *       its normal equations by Cholesky decomposition.</li>
 * </ol>
 * The attribution gives each pixel its superpixel's coefficient, [N, 1, H, W]. The last call's
 * segmentation, coefficients, intercept and weighted R² are kept per item ({@link #lastFits()}).
 */
public final class Lime implements Attributor {
    public record Options(int samples, int segments, double kernelWidth, long seed, int batch, Fill fill) {
        public Options {
            if (samples < 2 || segments < 1 || batch < 1 || !(kernelWidth > 0)) {
                throw new IllegalArgumentException("samples must be at least 2 and segments, batch and kernel-width positive (samples="
                        + samples + ", segments=" + segments + ", batch=" + batch + ", kernel-width=" + kernelWidth + ")");
            }
        }
    }

    /** One superpixel's coefficient: its id in the segmentation, the weight, and its size in pixels. */
    public record Superpixel(int id, double weight, int pixels) {
    }

    /**
     * The surrogate model of one item.
     *
     * @param segmentation the superpixels
     * @param coefficients one per superpixel
     * @param intercept the surrogate's score with every superpixel off
     * @param r2 the weighted coefficient of determination of the fit ({@code lime}'s {@code score})
     */
    public record Fit(Slic.Segmentation segmentation, double[] coefficients, double intercept, double r2) {
        /** Superpixels by decreasing coefficient (most supportive first), at most {@code count}. */
        public List<Superpixel> top(int count) {
            int[] sizes = segmentation.sizes();
            List<Superpixel> all = new ArrayList<>();
            for (int i = 0; i < coefficients.length; i++) {
                all.add(new Superpixel(i, coefficients[i], sizes[i]));
            }
            all.sort(Comparator.comparingDouble((Superpixel s) -> -s.weight()).thenComparingInt(Superpixel::id));
            return List.copyOf(all.subList(0, Math.min(count, all.size())));
        }
    }

    private final Options options;
    private List<Fit> lastFits = List.of();

    public Lime(Options options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "lime";
    }

    /** The fits of the last {@link #attribute} call, one per batch item. */
    public List<Fit> lastFits() {
        return lastFits;
    }

    @Override
    public Tensor attribute(Trace trace, ResolvedTarget target, RunContext context) {
        Graph graph = Models.batchable(trace.graph());
        Tensor input = trace.get(Models.inputName(graph));
        Images.requireImage(input, "the LIME input");
        int n = input.dim(0);
        int hw = input.dim(2) * input.dim(3);
        float[] out = new float[n * hw];
        List<Fit> fits = new ArrayList<>();
        long total = (long) n * options.samples();
        for (int b = 0; b < n; b++) {
            Tensor x = Images.item(input, b);
            Slic.Segmentation seg = Slic.segment(x, options.segments());
            int m = seg.count();
            Tensor fill = options.fill().replacement(x);
            SplittableRandom rnd = new SplittableRandom(options.seed());
            double[][] z = new double[options.samples()][m];
            double[] y = new double[options.samples()];
            for (int s0 = 0; s0 < options.samples(); s0 += options.batch()) {
                int k = Math.min(options.batch(), options.samples() - s0);
                List<float[]> masks = new ArrayList<>(k);
                for (int j = 0; j < k; j++) {
                    double[] zi = z[s0 + j];
                    for (int i = 0; i < m; i++) {
                        zi[i] = s0 + j == 0 || rnd.nextBoolean() ? 1 : 0;
                    }
                    float[] mask = new float[hw];
                    for (int p = 0; p < hw; p++) {
                        mask[p] = (float) zi[seg.labels()[p]];
                    }
                    masks.add(mask);
                }
                float[] s = MaskedScores.evaluate(graph, x, fill, masks, target.repeat(b, 1), context);
                for (int j = 0; j < k; j++) {
                    y[s0 + j] = s[j];
                }
                context.progress().update((long) b * options.samples() + s0 + k, total);
            }
            double[] weights = new double[options.samples()];
            for (int i = 0; i < weights.length; i++) {
                double d = cosineDistanceToOnes(z[i]);
                weights[i] = Math.sqrt(Math.exp(-d * d / (options.kernelWidth() * options.kernelWidth())));
            }
            Fit fit = ridge(seg, z, y, weights, 1.0);
            fits.add(fit);
            for (int p = 0; p < hw; p++) {
                out[b * hw + p] = (float) fit.coefficients()[seg.labels()[p]];
            }
        }
        lastFits = List.copyOf(fits);
        return new Tensor(new int[] {n, 1, input.dim(2), input.dim(3)}, out);
    }

    /** {@code 1 − z·1 / (|z|·|1|)}; 1 for the all-off vector (as scikit-learn defines it). */
    static double cosineDistanceToOnes(double[] z) {
        double on = 0;
        for (double v : z) {
            on += v;
        }
        return on == 0 ? 1 : 1 - on / (Math.sqrt(on) * Math.sqrt(z.length));
    }

    /**
     * Weighted ridge regression with an unpenalised intercept: centre {@code z} and {@code y} by
     * their weighted means, solve {@code (Zcᵀ W Zc + λI) β = Zcᵀ W yc}.
     */
    static Fit ridge(Slic.Segmentation seg, double[][] z, double[] y, double[] w, double lambda) {
        int rows = z.length;
        int m = z[0].length;
        double sw = 0;
        double ym = 0;
        double[] zm = new double[m];
        for (int r = 0; r < rows; r++) {
            sw += w[r];
            ym += w[r] * y[r];
            for (int i = 0; i < m; i++) {
                zm[i] += w[r] * z[r][i];
            }
        }
        ym /= sw;
        for (int i = 0; i < m; i++) {
            zm[i] /= sw;
        }
        double[][] a = new double[m][m];
        double[] rhs = new double[m];
        double[] zc = new double[m];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < m; i++) {
                zc[i] = z[r][i] - zm[i];
            }
            double yc = y[r] - ym;
            for (int i = 0; i < m; i++) {
                double wi = w[r] * zc[i];
                rhs[i] += wi * yc;
                for (int j = 0; j <= i; j++) {
                    a[i][j] += wi * zc[j];
                }
            }
        }
        for (int i = 0; i < m; i++) {
            a[i][i] += lambda;
            for (int j = 0; j < i; j++) {
                a[j][i] = a[i][j];
            }
        }
        double[] beta = choleskySolve(a, rhs);
        double intercept = ym;
        for (int i = 0; i < m; i++) {
            intercept -= beta[i] * zm[i];
        }
        double ssRes = 0;
        double ssTot = 0;
        for (int r = 0; r < rows; r++) {
            double pred = intercept;
            for (int i = 0; i < m; i++) {
                pred += beta[i] * z[r][i];
            }
            ssRes += w[r] * (y[r] - pred) * (y[r] - pred);
            ssTot += w[r] * (y[r] - ym) * (y[r] - ym);
        }
        double r2 = ssTot > 0 ? 1 - ssRes / ssTot : (ssRes == 0 ? 1 : 0);
        return new Fit(seg, beta, intercept, r2);
    }

    /** Solves {@code A x = b} for symmetric positive definite {@code A} (not modified). */
    static double[] choleskySolve(double[][] a, double[] b) {
        int m = b.length;
        double[][] l = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new ArithmeticException("ridge normal equations are not positive definite");
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        double[] x = Arrays.copyOf(b, m);
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < i; k++) {
                x[i] -= l[i][k] * x[k];
            }
            x[i] /= l[i][i];
        }
        for (int i = m - 1; i >= 0; i--) {
            for (int k = i + 1; k < m; k++) {
                x[i] -= l[k][i] * x[k];
            }
            x[i] /= l[i][i];
        }
        return x;
    }
}
