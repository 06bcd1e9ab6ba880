package dev.loupe.explain.cam;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;

/**
 * Grad-CAM++ (Chattopadhyay et al., WACV 2018) at a named 4-D activation {@code A}, shape
 * [N, 1, h, w] at the layer's resolution: {@code relu(Σ_k w_k A_k)} with
 * <pre>
 *   g_k^ij = ∂S/∂A_k^ij                      (S: the target's logit, or y_P − y_Q for a contrast)
 *   α_k^ij = g² / (2·g² + (Σ_ab A_k^ab) · g³)    (0 where the denominator is 0)
 *   w_k    = Σ_ij α_k^ij · relu(g_k^ij)
 * </pre>
 *
 * <h2>Which closed form, and when it is exact</h2>
 * The paper defines the weights through {@code Y = Σ_k w_k Σ_ij A_k^ij} with
 * {@code w_k = Σ_ij α_k^ij relu(∂Y/∂A_k^ij)} and solves for α (its eq. 10):
 * {@code α = ∂²Y / (2 ∂²Y + Σ_ab A^ab · ∂³Y)}, derivatives taken element-wise in {@code A^ij}.
 * Higher derivatives are generally unavailable, so the paper takes the class score to be
 * {@code Y = exp(S)} with {@code S} the pre-softmax logit: then
 * {@code ∂²Y = exp(S)·g² + exp(S)·∂²S} and {@code ∂³Y = exp(S)·g³ + …}, and the closed form above
 * (its eq. 19) follows by dropping {@code ∂²S, ∂³S}. That is exact when the network after the layer
 * is piecewise linear (ReLU, max/average pooling, convolutions, linear layers, batch norm in
 * inference): {@code S} is then locally linear in {@code A}, its higher derivatives vanish almost
 * everywhere, and the α above are exactly the paper's α for {@code Y = exp(S)}. With smooth
 * non-linearities after the layer (sigmoid, tanh, SiLU, softmax inside the network) it is an
 * approximation that ignores their curvature. The paper's ansatz itself (Y as a weighted sum of
 * spatial sums) is a modelling assumption, not something the derivation checks.
 *
 * <h2>Raw logit gradients, as most tools do</h2>
 * The weights use {@code relu(g)} where the paper has {@code relu(∂Y/∂A) = exp(S)·relu(g)}: we drop
 * the positive factor {@code exp(S)}, as pytorch-grad-cam and most re-implementations do. The
 * map therefore equals the paper's for {@code Y = exp(S)} divided by {@code exp(S)} — the same
 * picture after normalisation, but the absolute values are not comparable to an implementation
 * that keeps the factor. It is not the paper's map for {@code Y} = the softmax probability (the
 * softmax couples the classes, so the exponential closed form does not apply), nor for
 * {@code Y = S} itself (for a piecewise-linear {@code S} the second and third derivatives vanish and
 * the general formula is 0/0; the exponential is what makes it defined). Where the logit
 * gradient is 0, α and the contribution are 0. α may be negative where activations are negative
 * (no ReLU before the layer) and {@code Σ A·g < −2}; it is kept as the formula gives it.
 *
 * <p>Two checks follow from the formula (both tested): with a single channel, or when every
 * channel's activations sum to zero and the gradients are non-negative (then α = ½ wherever
 * g ≠ 0, so {@code w_k = (hw/2) · mean g}), Grad-CAM++ is Grad-CAM times a positive constant.
 */
public final class GradCamPlusPlus {
    private GradCamPlusPlus() {
    }

    public static Tensor compute(Trace trace, String layer, ResolvedTarget target, RunContext context) {
        Tensor a = GradCam.activation(trace, layer, "Grad-CAM++");
        Tensor g = GradCam.gradient(trace, layer, target, context);
        return GradCam.combine(a, weights(a, g));
    }

    /** The Grad-CAM++ channel weights {@code w[b][k]} from activations and logit gradients at the layer. */
    public static double[][] weights(Tensor a, Tensor g) {
        int n = a.dim(0);
        int k = a.dim(1);
        int hw = a.dim(2) * a.dim(3);
        float[] ad = a.data();
        float[] gd = g.data();
        double[][] w = new double[n][k];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < k; ch++) {
                int off = (b * k + ch) * hw;
                double sumA = 0;
                for (int i = 0; i < hw; i++) {
                    sumA += ad[off + i];
                }
                double acc = 0;
                for (int i = 0; i < hw; i++) {
                    double gi = gd[off + i];
                    if (gi <= 0) {
                        continue; // relu(g) = 0: no contribution whatever α is
                    }
                    double g2 = gi * gi;
                    double denom = 2 * g2 + sumA * g2 * gi;
                    if (denom != 0) {
                        acc += g2 / denom * gi;
                    }
                }
                w[b][ch] = acc;
            }
        }
        return w;
    }
}
