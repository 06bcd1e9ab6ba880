package dev.loupe.explain.cam;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import dev.loupe.explain.gradient.ModifiedBackprop;
import dev.loupe.explain.rules.Composites;

/**
 * Grad-CAM (Selvaraju et al.) at any named 4-D activation {@code A}:
 * {@code relu(Σ_k mean_ij(∂y_c/∂A_k[i,j]) · A_k)}, shape [N, 1, h, w] at the layer's resolution
 * (Captum's {@code LayerGradCam} with {@code relu_attributions=True}). Uses plain gradients
 * whatever rules are bound elsewhere.
 *
 * <h2>Targets</h2>
 * {@code y_c} is whatever the {@link ResolvedTarget} seeds: the class logit, or for a contrast
 * {@code Target.contrast(P, Q)} the logit difference {@code y_P − y_Q}. Because the channel
 * weights are linear in the seed, the contrastive weights are exactly {@code α^P − α^Q}: channels
 * that support P and Q equally cancel, and the map (after the ReLU) keeps the regions whose
 * evidence favours P over Q. {@code y_P − y_Q = log(p_P / p_Q)} is the log-odds of P against Q,
 * so this is also the gradient of that log-odds, independent of the other classes; we prefer it
 * to a softmax cross-entropy towards Q (Prabhushankar et al.'s contrastive loss), whose gradient
 * mixes in every class through the softmax and vanishes when the model is confident.
 *
 * <h2>Counterfactual</h2>
 * {@link #counterfactual} negates the gradients (Selvaraju et al., sec. 5): {@code
 * relu(Σ_k −α_k A_k)}, the regions whose presence lowers the score, which would raise it if removed.
 */
public final class GradCam {
    private GradCam() {
    }

    /**
     * @param layer a tensor name; unknown names fail with the trace's message listing similar names
     */
    public static Tensor compute(Trace trace, String layer, ResolvedTarget target, RunContext context) {
        return compute(trace, layer, target, context, false);
    }

    /** Counterfactual Grad-CAM: the weights are the negated mean gradients. */
    public static Tensor counterfactual(Trace trace, String layer, ResolvedTarget target, RunContext context) {
        return compute(trace, layer, target, context, true);
    }

    private static Tensor compute(Trace trace, String layer, ResolvedTarget target, RunContext context, boolean negate) {
        Tensor a = activation(trace, layer, "Grad-CAM");
        Tensor g = gradient(trace, layer, target, context);
        int n = a.dim(0);
        int k = a.dim(1);
        int hw = a.dim(2) * a.dim(3);
        float[] gd = g.data();
        double[][] weights = new double[n][k];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < k; ch++) {
                int off = (b * k + ch) * hw;
                double mean = 0;
                for (int i = 0; i < hw; i++) {
                    mean += gd[off + i];
                }
                mean /= hw;
                weights[b][ch] = negate ? -mean : mean;
            }
        }
        return combine(a, weights);
    }

    /** The layer's value, checked to be a 4-D [N, C, h, w] feature map. */
    static Tensor activation(Trace trace, String layer, String method) {
        Tensor a = trace.get(layer);
        if (a.rank() != 4) {
            throw new IllegalArgumentException(method + " needs a 4-D [N, C, h, w] activation but '" + layer + "' has shape "
                    + Tensor.shapeString(a.shape()) + "; pick a convolutional feature map");
        }
        return a;
    }

    /** The plain gradient of the target score with respect to the layer (one backward pass). */
    static Tensor gradient(Trace trace, String layer, ResolvedTarget target, RunContext context) {
        return ModifiedBackprop.gradient(trace, target, Composites.gradient(), layer, context);
    }

    /**
     * {@code relu(Σ_k weights[b][k] · A[b, k])} for each item b, as [N, 1, h, w]; sums in double.
     */
    public static Tensor combine(Tensor a, double[][] weights) {
        int n = a.dim(0);
        int k = a.dim(1);
        int hw = a.dim(2) * a.dim(3);
        float[] ad = a.data();
        float[] cam = new float[n * hw];
        for (int b = 0; b < n; b++) {
            double[] acc = new double[hw];
            for (int ch = 0; ch < k; ch++) {
                double w = weights[b][ch];
                if (w == 0) {
                    continue;
                }
                int off = (b * k + ch) * hw;
                for (int i = 0; i < hw; i++) {
                    acc[i] += w * ad[off + i];
                }
            }
            for (int i = 0; i < hw; i++) {
                cam[b * hw + i] = (float) Math.max(0, acc[i]);
            }
        }
        return new Tensor(new int[] {n, 1, a.dim(2), a.dim(3)}, cam);
    }
}
