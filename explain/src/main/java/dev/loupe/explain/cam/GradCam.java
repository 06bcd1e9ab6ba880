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
 */
public final class GradCam {
    private GradCam() {
    }

    /**
     * @param layer a tensor name; unknown names fail with the trace's message listing similar names
     */
    public static Tensor compute(Trace trace, String layer, ResolvedTarget target, RunContext context) {
        Tensor a = trace.get(layer);
        if (a.rank() != 4) {
            throw new IllegalArgumentException("Grad-CAM needs a 4-D [N, C, h, w] activation but '" + layer + "' has shape "
                    + Tensor.shapeString(a.shape()) + "; pick a convolutional feature map");
        }
        Tensor g = ModifiedBackprop.gradient(trace, target, Composites.gradient(), layer, context);
        int n = a.dim(0);
        int k = a.dim(1);
        int hw = a.dim(2) * a.dim(3);
        float[] ad = a.data();
        float[] gd = g.data();
        float[] cam = new float[n * hw];
        for (int b = 0; b < n; b++) {
            double[] acc = new double[hw];
            for (int ch = 0; ch < k; ch++) {
                int off = (b * k + ch) * hw;
                double mean = 0;
                for (int i = 0; i < hw; i++) {
                    mean += gd[off + i];
                }
                mean /= hw;
                for (int i = 0; i < hw; i++) {
                    acc[i] += mean * ad[off + i];
                }
            }
            for (int i = 0; i < hw; i++) {
                cam[b * hw + i] = (float) Math.max(0, acc[i]);
            }
        }
        return new Tensor(new int[] {n, 1, a.dim(2), a.dim(3)}, cam);
    }
}
