package dev.loupe.engine.kernels;

import dev.loupe.engine.Parallel;

/**
 * Max and average pooling over independent H x W planes (a batch of N images with C channels is
 * N*C planes), with their backward passes. Padding never wins a max and, for averages, is counted
 * only when asked.
 */
public final class Pooling {
    /** What a max window with no input pixel at all yields (as ONNX Runtime does). */
    public static final float EMPTY_MAX = -Float.MAX_VALUE;

    private Pooling() {
    }

    /**
     * Max pooling. {@code switches[o]} receives the flat index into {@code x} of the pixel that won
     * output o (first maximum on ties; -1 when the window holds no input pixel). x not modified; y
     * and switches ({@code planes * oh*ow}) modified. Parallel over planes.
     */
    public static void maxPool(float[] x, int planes, Window2d g, float[] y, int[] switches) {
        Parallel.forRange(planes, grain(g), (from, to) -> {
            for (int p = from; p < to; p++) {
                int xPlane = p * g.inPlane();
                int o = p * g.outPlane();
                for (int oy = 0; oy < g.oh(); oy++) {
                    int y0 = oy * g.sh() - g.padTop();
                    for (int ox = 0; ox < g.ow(); ox++, o++) {
                        int x0 = ox * g.sw() - g.padLeft();
                        float best = EMPTY_MAX;
                        int arg = -1;
                        for (int ki = 0; ki < g.kh(); ki++) {
                            int iy = y0 + ki * g.dh();
                            if (iy < 0 || iy >= g.h()) {
                                continue;
                            }
                            int row = xPlane + iy * g.w();
                            for (int kj = 0; kj < g.kw(); kj++) {
                                int ix = x0 + kj * g.dw();
                                if (ix < 0 || ix >= g.w()) {
                                    continue;
                                }
                                float v = x[row + ix];
                                // NaN wins so it propagates rather than being hidden by the max.
                                if (arg < 0 || v > best || (v != v && best == best)) {
                                    best = v;
                                    arg = row + ix;
                                }
                            }
                        }
                        y[o] = best;
                        switches[o] = arg;
                    }
                }
            }
        });
    }

    /**
     * Routes each output gradient to the input pixel that won it: {@code gx[switches[o]] += gy[o]}
     * (entries with switch -1 are dropped). This is both max pooling's backward pass and DeconvNet's
     * unpooling. switches and gy not modified; gx modified (accumulated into).
     */
    public static void unpool(int[] switches, float[] gy, float[] gx) {
        for (int o = 0; o < switches.length; o++) {
            int s = switches[o];
            if (s >= 0) {
                gx[s] += gy[o];
            }
        }
    }

    /**
     * Average pooling. A window's divisor follows PyTorch/ONNX: with {@code countIncludePad} it is
     * the window clipped to the padded input (pads count, positions past the end pad do not);
     * without, the number of input pixels in the window. x not modified; y modified. Parallel over planes.
     */
    public static void avgPool(float[] x, int planes, Window2d g, boolean countIncludePad, float[] y) {
        requireUndilated(g);
        Parallel.forRange(planes, grain(g), (from, to) -> {
            for (int p = from; p < to; p++) {
                int xPlane = p * g.inPlane();
                int o = p * g.outPlane();
                for (int oy = 0; oy < g.oh(); oy++) {
                    int ys = oy * g.sh() - g.padTop();
                    int ye = Math.min(ys + g.kh(), g.h() + g.padBottom());
                    int padH = ye - ys;
                    ys = Math.max(ys, 0);
                    ye = Math.min(ye, g.h());
                    for (int ox = 0; ox < g.ow(); ox++, o++) {
                        int xs = ox * g.sw() - g.padLeft();
                        int xe = Math.min(xs + g.kw(), g.w() + g.padRight());
                        int padW = xe - xs;
                        xs = Math.max(xs, 0);
                        xe = Math.min(xe, g.w());
                        float sum = 0f;
                        for (int iy = ys; iy < ye; iy++) {
                            int row = xPlane + iy * g.w();
                            for (int ix = xs; ix < xe; ix++) {
                                sum += x[row + ix];
                            }
                        }
                        int count = countIncludePad ? padH * padW : Math.max(0, ye - ys) * Math.max(0, xe - xs);
                        y[o] = count > 0 ? sum / count : 0f;
                    }
                }
            }
        });
    }

    /**
     * The adjoint of {@link #avgPool}: spreads each output gradient over its window with the same
     * divisor. gy not modified; gx modified (overwritten). Parallel over planes.
     */
    public static void avgPoolBackward(float[] gy, int planes, Window2d g, boolean countIncludePad, float[] gx) {
        requireUndilated(g);
        Parallel.forRange(planes, grain(g), (from, to) -> {
            for (int p = from; p < to; p++) {
                int xPlane = p * g.inPlane();
                java.util.Arrays.fill(gx, xPlane, xPlane + g.inPlane(), 0f);
                int o = p * g.outPlane();
                for (int oy = 0; oy < g.oh(); oy++) {
                    int ys = oy * g.sh() - g.padTop();
                    int ye = Math.min(ys + g.kh(), g.h() + g.padBottom());
                    int padH = ye - ys;
                    ys = Math.max(ys, 0);
                    ye = Math.min(ye, g.h());
                    for (int ox = 0; ox < g.ow(); ox++, o++) {
                        int xs = ox * g.sw() - g.padLeft();
                        int xe = Math.min(xs + g.kw(), g.w() + g.padRight());
                        int padW = xe - xs;
                        xs = Math.max(xs, 0);
                        xe = Math.min(xe, g.w());
                        int count = countIncludePad ? padH * padW : Math.max(0, ye - ys) * Math.max(0, xe - xs);
                        if (count == 0) {
                            continue;
                        }
                        float share = gy[o] / count;
                        for (int iy = ys; iy < ye; iy++) {
                            int row = xPlane + iy * g.w();
                            for (int ix = xs; ix < xe; ix++) {
                                gx[row + ix] += share;
                            }
                        }
                    }
                }
            }
        });
    }

    private static void requireUndilated(Window2d g) {
        if (g.dh() != 1 || g.dw() != 1) {
            throw new IllegalArgumentException("average pooling with dilations is not supported");
        }
    }

    private static int grain(Window2d g) {
        return Math.max(1, 8192 / Math.max(1, g.outPlane() * g.kh() * g.kw()));
    }
}
