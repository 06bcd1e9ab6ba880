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
        maxPool(x, planes, g, y);
        maxPoolSwitches(x, planes, g, y, switches);
    }

    /**
     * Max pooling values only (a NaN in a window wins; of +0 and -0, +0). Separable: a column max over the window's
     * rows, then a row max over its columns, so no loop carries a chain of dependent compares
     * across a whole window. x not modified; y modified. Parallel over planes.
     */
    public static void maxPool(float[] x, int planes, Window2d g, float[] y) {
        int ow = g.ow();
        int[][] taps = columnTaps(g);
        int[] kjLo = taps[0];
        int[] kjHi = taps[1];
        int sh = g.sh();
        int sw = g.sw();
        int dh = g.dh();
        int dw = g.dw();
        int w = g.w();
        int oh = g.oh();
        Parallel.forRange(planes, grain(g), (from, to) -> {
            float[] colMax = new float[w];
            float[] phases = ow >= PHASED_ROW_MIN ? new float[g.sw() * phaseLength(g)] : null;
            for (int p = from; p < to; p++) {
                int xPlane = p * g.inPlane();
                int o = p * g.outPlane();
                for (int oy = 0; oy < oh; oy++, o += ow) {
                    int y0 = oy * sh - g.padTop();
                    int kiLo = validFrom(y0, dh);
                    int kiHi = validTo(y0, dh, g.kh(), g.h());
                    if (kiLo >= kiHi) {
                        java.util.Arrays.fill(y, o, o + ow, EMPTY_MAX);
                        continue;
                    }
                    System.arraycopy(x, xPlane + (y0 + kiLo * dh) * w, colMax, 0, w);
                    for (int ki = kiLo + 1; ki < kiHi; ki++) {
                        maxInto(colMax, 0, x, xPlane + (y0 + ki * dh) * w, w);
                    }
                    if (phases != null) {
                        rowMaxByPhases(colMax, g, phases, y, o, kjLo, kjHi);
                        continue;
                    }
                    for (int ox = 0; ox < ow; ox++) {
                        int lo = kjLo[ox];
                        int hi = kjHi[ox];
                        if (lo >= hi) {
                            y[o + ox] = EMPTY_MAX;
                            continue;
                        }
                        int x0 = ox * sw - g.padLeft();
                        float best = colMax[x0 + lo * dw];
                        for (int kj = lo + 1; kj < hi; kj++) {
                            best = Math.max(best, colMax[x0 + kj * dw]);
                        }
                        y[o + ox] = best;
                    }
                }
            }
        });
    }

    /**
     * {@code acc[a + i] = Math.max(acc[a + i], src[s + i])} for i in [0, n): NaN propagates, +0
     * beats -0. C2 did not vectorise this loop written with Math.max (two cycles per element, most
     * of max pooling's time), so with the Vector API it runs on its lanewise max, which is
     * Math.max. src not modified; acc modified.
     */
    static void maxInto(float[] acc, int a, float[] src, int s, int n) {
        int i = Gemm.SIMD ? SimdPooling.maxInto(acc, a, src, s, n) : 0;
        for (; i < n; i++) {
            acc[a + i] = Math.max(acc[a + i], src[s + i]);
        }
    }

    /** Output rows at least this wide take the phase-split row pass. */
    static final int PHASED_ROW_MIN = 16;

    /**
     * The row pass of {@link #maxPool(float[], int, Window2d, float[])} as whole-row maxima: the
     * column maxima are split by stride phase ({@code phase r, index t} holds column
     * {@code t*sw + r - padLeft}, -inf outside the image), after which tap kj of every output is
     * one contiguous run, so each tap is a vectorisable {@code Math.max} over the row instead of a
     * per-output chain of dependent maxima. Windows without a column in the image get
     * {@link #EMPTY_MAX}. colMax and phases are scratch (modified); y modified at [o, o + ow).
     */
    private static void rowMaxByPhases(float[] colMax, Window2d g, float[] phases, float[] y, int o, int[] kjLo, int[] kjHi) {
        int sw = g.sw();
        int dw = g.dw();
        int ow = g.ow();
        int w = g.w();
        int len = phaseLength(g);
        splitByPhases(colMax, 0, g, phases, 0, len);
        for (int kj = 0; kj < g.kw(); kj++) {
            int off = kj * dw;
            int src = (off % sw) * len + off / sw;
            if (kj == 0) {
                System.arraycopy(phases, src, y, o, ow);
            } else {
                maxInto(y, o, phases, src, ow);
            }
        }
        for (int ox = 0; ox < ow; ox++) {
            if (kjLo[ox] >= kjHi[ox]) {
                y[o + ox] = EMPTY_MAX;
            }
        }
    }

    /** Entries per stride phase in {@link #rowMaxByPhases}: every tap of every output. */
    private static int phaseLength(Window2d g) {
        return g.ow() + ((g.kw() - 1) * g.dw()) / g.sw() + 1;
    }

    /**
     * One row of w values split by stride phase: {@code dst[dstBase + r*len + t]} = column
     * {@code t*sw + r - padLeft}, -inf for columns outside the row. The in-row run is found first
     * so the copy loop has no branch (a per-element bounds test made this split the most expensive
     * part of pooling). row not modified; dst modified.
     */
    static void splitByPhases(float[] row, int rowStart, Window2d g, float[] dst, int dstBase, int len) {
        int sw = g.sw();
        int w = g.w();
        int pad = g.padLeft();
        int done = 0;
        if (sw == 2 && Gemm.SHUFFLES) {
            // Pairs (column 2t - pad, 2t + 1 - pad) wholly inside the row, split by shuffles.
            int lo = Math.max(0, -Math.floorDiv(-pad, 2));
            int hi = Math.min(len, Math.floorDiv(w - 2 + pad, 2) + 1);
            if (hi - lo > 0) {
                done = SimdPooling.deinterleave(row, rowStart - pad + 2 * lo, dst, dstBase + lo, dstBase + len + lo, hi - lo);
            }
            if (done > 0) {
                for (int r = 0; r < 2; r++) {
                    splitRange(row, rowStart, g, dst, dstBase, len, r, 0, lo);
                    splitRange(row, rowStart, g, dst, dstBase, len, r, lo + done, len);
                }
                return;
            }
        }
        for (int r = 0; r < sw; r++) {
            int base = dstBase + r * len;
            // Columns t*sw + r - pad inside [0, w): t in [lo, hi).
            int lo = Math.min(len, Math.max(0, -Math.floorDiv(-(pad - r), sw)));
            int hi = Math.max(lo, Math.min(len, Math.floorDiv(w - 1 + pad - r, sw) + 1));
            java.util.Arrays.fill(dst, base, base + lo, Float.NEGATIVE_INFINITY);
            int src = rowStart + r - pad;
            if (sw == 2) {
                for (int t = lo; t < hi; t++) {
                    dst[base + t] = row[src + 2 * t];
                }
            } else {
                for (int t = lo; t < hi; t++) {
                    dst[base + t] = row[src + t * sw];
                }
            }
            java.util.Arrays.fill(dst, base + hi, base + len, Float.NEGATIVE_INFINITY);
        }
    }

    /** {@link #splitByPhases} for phase r, entries [from, to) only. */
    private static void splitRange(float[] row, int rowStart, Window2d g, float[] dst, int dstBase, int len, int r, int from, int to) {
        int base = dstBase + r * len;
        for (int t = from; t < to; t++) {
            int col = t * g.sw() + r - g.padLeft();
            dst[base + t] = col >= 0 && col < g.w() ? row[rowStart + col] : Float.NEGATIVE_INFINITY;
        }
    }

    /**
     * The switches of a max pooling whose values {@code y} are already known: for each output the
     * first pixel of its window (row-major) that equals it, or the first NaN when it is NaN; -1
     * for a window without input pixels. This is the argmax {@link #maxPool(float[], int, Window2d,
     * float[], int[])} defines, computed only when a backward pass needs it. x and y not
     * modified; switches modified. Parallel over planes.
     */
    public static void maxPoolSwitches(float[] x, int planes, Window2d g, float[] y, int[] switches) {
        int ow = g.ow();
        int[][] taps = columnTaps(g);
        int[] kjLo = taps[0];
        int[] kjHi = taps[1];
        int sh = g.sh();
        int dh = g.dh();
        int oh = g.oh();
        // Outputs whose windows lie wholly inside the image along x: the vector path's range.
        int oxA = 0;
        while (oxA < ow && (kjLo[oxA] != 0 || kjHi[oxA] != g.kw())) {
            oxA++;
        }
        int oxB = oxA;
        while (oxB < ow && kjLo[oxB] == 0 && kjHi[oxB] == g.kw()) {
            oxB++;
        }
        boolean vector = Gemm.SHUFFLES && ow >= PHASED_ROW_MIN;
        int interiorFrom = oxA;
        int interiorTo = oxB;
        Parallel.forRange(planes, grain(g), (from, to) -> {
            float[] phases = vector ? new float[g.kh() * g.sw() * phaseLength(g)] : null;
            int[] lanes = vector ? SimdPooling.laneOffsets(g.sw()) : null;
            for (int p = from; p < to; p++) {
                int xPlane = p * g.inPlane();
                int rowOut = p * g.outPlane();
                for (int oy = 0; oy < oh; oy++, rowOut += ow) {
                    int y0 = oy * sh - g.padTop();
                    int kiLo = validFrom(y0, dh);
                    int kiHi = validTo(y0, dh, g.kh(), g.h());
                    int skipFrom = interiorFrom;
                    int skipTo = vector && kiLo < kiHi
                            ? SimdPooling.switchesRow(x, xPlane, g, y0, kiLo, kiHi, phases, phaseLength(g), lanes, y, switches, rowOut,
                                    interiorFrom, interiorTo)
                            : interiorFrom;
                    for (int ox = 0; ox < ow; ox++) {
                        if (ox == skipFrom && skipTo > skipFrom) {
                            ox = skipTo - 1;
                            continue;
                        }
                        int o = rowOut + ox;
                        switches[o] = firstMatch(x, xPlane, g, y0, kiLo, kiHi, kjLo[ox], kjHi[ox], ox, y[o]);
                    }
                }
            }
        });
    }

    /**
     * The first pixel of output column ox's window, rows kiLo..kiHi-1 and columns kjLo..kjHi-1
     * (row-major), equal to target, or the first NaN when target is NaN; -1 when none is. x not
     * modified.
     */
    static int firstMatch(float[] x, int xPlane, Window2d g, int y0, int kiLo, int kiHi, int kjLo, int kjHi, int ox, float target) {
        boolean nan = target != target;
        int x0 = xPlane + ox * g.sw() - g.padLeft();
        for (int ki = kiLo; ki < kiHi; ki++) {
            int row = x0 + (y0 + ki * g.dh()) * g.w();
            for (int kj = kjLo; kj < kjHi; kj++) {
                float v = x[row + kj * g.dw()];
                if (v == target || (nan && v != v)) {
                    return row + kj * g.dw();
                }
            }
        }
        return -1;
    }

    /**
     * For each output column, the first and one-past-last kernel column whose input column lies
     * inside the image: {@code {from[ow], to[ow]}}.
     */
    private static int[][] columnTaps(Window2d g) {
        int[] from = new int[g.ow()];
        int[] to = new int[g.ow()];
        for (int ox = 0; ox < g.ow(); ox++) {
            int x0 = ox * g.sw() - g.padLeft();
            from[ox] = validFrom(x0, g.dw());
            to[ox] = validTo(x0, g.dw(), g.kw(), g.w());
        }
        return new int[][] {from, to};
    }

    /** First tap t with {@code start + t*dilation >= 0}. */
    private static int validFrom(int start, int dilation) {
        return start >= 0 ? 0 : (-start + dilation - 1) / dilation;
    }

    /** One past the last tap t (below {@code taps}) with {@code start + t*dilation < size}. */
    private static int validTo(int start, int dilation, int taps, int size) {
        if (start >= size) {
            return 0;
        }
        return Math.min(taps, (size - 1 - start) / dilation + 1);
    }

    /**
     * Routes each output gradient to the input pixel that won it: {@code gx[switches[o]] += gy[o]}
     * (entries with switch -1 are dropped). This is both max pooling's backward pass and DeconvNet's
     * unpooling. switches and gy not modified; gx modified (accumulated into).
     */
    public static void unpool(int[] switches, float[] gy, float[] gx) {
        unpool(switches, gy, gx, 0, switches.length);
    }

    /**
     * {@code gx = unpool(switches, gy)} for a pooling of {@code planes} planes whose outputs only
     * route to their own input plane (max pooling does): each task zeroes its input planes, then
     * scatters into them, in parallel over planes (zeroing the whole of gx first, on one thread,
     * was a 32 MB pass for a ResNet's first pool at ten images). switches and gy not modified; gx
     * modified (every element written).
     */
    public static void unpoolPlanes(int[] switches, float[] gy, float[] gx, int planes) {
        int outPlane = switches.length / Math.max(1, planes);
        int inPlane = gx.length / Math.max(1, planes);
        Parallel.forRange(planes, Math.max(1, (1 << 15) / Math.max(1, outPlane)), (from, to) -> {
            java.util.Arrays.fill(gx, from * inPlane, to * inPlane, 0f);
            unpool(switches, gy, gx, from * outPlane, to * outPlane);
        });
    }

    private static void unpool(int[] switches, float[] gy, float[] gx, int from, int to) {
        for (int o = from; o < to; o++) {
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
