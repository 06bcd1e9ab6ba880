package dev.loupe.engine.kernels;

import dev.loupe.engine.Parallel;
import java.util.Arrays;

/**
 * Direct convolution for one input channel per group (depthwise, as in MobileNet), where im2col
 * would copy kh*kw times the input for a GEMM with a single row. Output channel {@code oc} reads
 * input channel {@code oc / multiplier}; weights are {@code [channels*multiplier, 1, kh, kw]}.
 */
public final class DepthwiseConv {
    private DepthwiseConv() {
    }

    /**
     * {@code y = conv(x, w) + bias} for a batch of {@code n} images of {@code channels} planes.
     * bias may be null. x, w, bias not modified; y ({@code n * channels*multiplier * oh*ow}) modified
     * (overwritten). Parallel over (image, output channel).
     */
    public static void forward(float[] x, int n, int channels, int multiplier, Window2d g, float[] w, float[] bias, float[] y) {
        int outC = channels * multiplier;
        int taps = g.kh() * g.kw();
        Parallel.forRange(n * outC, Math.max(1, 4096 / Math.max(1, g.outPlane() * taps)), (from, to) -> {
            for (int t = from; t < to; t++) {
                int oc = t % outC;
                int b = t / outC;
                int xPlane = (b * channels + oc / multiplier) * g.inPlane();
                int yPlane = t * g.outPlane();
                Arrays.fill(y, yPlane, yPlane + g.outPlane(), bias == null ? 0f : bias[oc]);
                for (int ki = 0; ki < g.kh(); ki++) {
                    for (int kj = 0; kj < g.kw(); kj++) {
                        float wv = w[oc * taps + ki * g.kw() + kj];
                        tap(x, xPlane, g, ki, kj, wv, y, yPlane);
                    }
                }
            }
        });
    }

    /** y[oy, ox] += wv * x[oy*sh - pt + ki*dh, ox*sw - pl + kj*dw] over all valid positions. */
    private static void tap(float[] x, int xPlane, Window2d g, int ki, int kj, float wv, float[] y, int yPlane) {
        int lo = g.firstValidX(kj * g.dw());
        int hi = g.endValidX(kj * g.dw());
        if (lo >= hi) {
            return;
        }
        int sw = g.sw();
        for (int oy = 0; oy < g.oh(); oy++) {
            int iy = oy * g.sh() - g.padTop() + ki * g.dh();
            if (iy < 0 || iy >= g.h()) {
                continue;
            }
            int src = xPlane + iy * g.w() + kj * g.dw() - g.padLeft();
            int dst = yPlane + oy * g.ow();
            if (sw == 1) {
                for (int ox = lo; ox < hi; ox++) {
                    y[dst + ox] += wv * x[src + ox];
                }
            } else {
                for (int ox = lo; ox < hi; ox++) {
                    y[dst + ox] += wv * x[src + ox * sw];
                }
            }
        }
    }

    /**
     * The gradient with respect to x: {@code gx = conv^T(gy, w)}. gy and w not modified; gx
     * ({@code n * channels * h*w}) modified (overwritten). Parallel over (image, input channel), so
     * the {@code multiplier} output channels sharing an input plane are summed by one thread.
     */
    public static void backwardData(float[] gy, int n, int channels, int multiplier, Window2d g, float[] w, float[] gx) {
        int outC = channels * multiplier;
        int taps = g.kh() * g.kw();
        Parallel.forRange(n * channels, Math.max(1, 4096 / Math.max(1, g.outPlane() * taps * multiplier)), (from, to) -> {
            for (int t = from; t < to; t++) {
                int c = t % channels;
                int b = t / channels;
                int xPlane = t * g.inPlane();
                Arrays.fill(gx, xPlane, xPlane + g.inPlane(), 0f);
                for (int m = 0; m < multiplier; m++) {
                    int oc = c * multiplier + m;
                    int yPlane = (b * outC + oc) * g.outPlane();
                    for (int ki = 0; ki < g.kh(); ki++) {
                        for (int kj = 0; kj < g.kw(); kj++) {
                            float wv = w[oc * taps + ki * g.kw() + kj];
                            tapAdjoint(gy, yPlane, g, ki, kj, wv, gx, xPlane);
                        }
                    }
                }
            }
        });
    }

    private static void tapAdjoint(float[] gy, int yPlane, Window2d g, int ki, int kj, float wv, float[] gx, int xPlane) {
        int lo = g.firstValidX(kj * g.dw());
        int hi = g.endValidX(kj * g.dw());
        if (lo >= hi) {
            return;
        }
        int sw = g.sw();
        for (int oy = 0; oy < g.oh(); oy++) {
            int iy = oy * g.sh() - g.padTop() + ki * g.dh();
            if (iy < 0 || iy >= g.h()) {
                continue;
            }
            int dst = xPlane + iy * g.w() + kj * g.dw() - g.padLeft();
            int src = yPlane + oy * g.ow();
            if (sw == 1) {
                for (int ox = lo; ox < hi; ox++) {
                    gx[dst + ox] += wv * gy[src + ox];
                }
            } else {
                for (int ox = lo; ox < hi; ox++) {
                    gx[dst + ox * sw] += wv * gy[src + ox];
                }
            }
        }
    }
}
