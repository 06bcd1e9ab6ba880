package dev.loupe.explain.cam;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import dev.loupe.explain.gradient.GuidedBackprop;

/**
 * Guided Grad-CAM: guided backpropagation times the Grad-CAM map upsampled to the input, broadcast
 * over channels. Shape of the input. Both factors come from the same trace. The upsampling is
 * nearest-neighbour in Captum (the parity reference, and {@link #compute(Trace, String,
 * ResolvedTarget, RunContext)}); the facade defaults to bilinear, as the issue asks for pictures,
 * which avoids the blocky cell edges of nearest upsampling in the product.
 */
public final class GuidedGradCam {
    private GuidedGradCam() {
    }

    /** With nearest upsampling, as Captum. */
    public static Tensor compute(Trace trace, String layer, ResolvedTarget target, RunContext context) {
        return compute(trace, layer, target, context, Upsample.Mode.NEAREST);
    }

    public static Tensor compute(Trace trace, String layer, ResolvedTarget target, RunContext context, Upsample.Mode mode) {
        Tensor cam = GradCam.compute(trace, layer, target, context);
        Tensor guided = new GuidedBackprop().attribute(trace, target, context);
        return multiply(guided, Upsample.resize(cam, guided.dim(2), guided.dim(3), mode));
    }

    /** {@code g[n,c,i,j] · cam[n,0,i,j]}. */
    static Tensor multiply(Tensor g, Tensor cam) {
        int n = g.dim(0);
        int c = g.dim(1);
        int hw = g.dim(2) * g.dim(3);
        float[] out = new float[g.size()];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < hw; i++) {
                    out[(b * c + ch) * hw + i] = g.data()[(b * c + ch) * hw + i] * cam.data()[b * hw + i];
                }
            }
        }
        return new Tensor(g.shape(), out);
    }
}
