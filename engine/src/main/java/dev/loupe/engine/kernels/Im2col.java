package dev.loupe.engine.kernels;

import dev.loupe.engine.Parallel;
import java.util.Arrays;

/**
 * Unfolds image patches into columns so a convolution becomes one GEMM, and folds them back.
 *
 * <p>The column matrix has {@code channels * kh * kw} rows, row {@code (c*kh + i)*kw + j} holding
 * the input pixel under kernel tap (i, j) of channel c for every output position (oy, ox), that is
 * {@code oh * ow} columns. Positions that fall in the padding are 0.
 */
public final class Im2col {
    private Im2col() {
    }

    /**
     * Fills {@code col[colOff ..]} (rows x oh*ow, dense) from the {@code channels} planes of
     * {@code x} starting at {@code xOff}. x not modified; col modified. Parallel over rows.
     */
    public static void im2col(float[] x, int xOff, int channels, Window2d g, float[] col, int colOff) {
        int rows = channels * g.kh() * g.kw();
        int np = g.outPlane();
        Parallel.forRange(rows, Math.max(1, 16384 / Math.max(1, np)), (from, to) -> {
            for (int r = from; r < to; r++) {
                unfoldRow(x, xOff, r, g, col, colOff + r * np);
            }
        });
    }

    private static void unfoldRow(float[] x, int xOff, int r, Window2d g, float[] col, int out) {
        int kj = r % g.kw();
        int ki = (r / g.kw()) % g.kh();
        int c = r / (g.kw() * g.kh());
        int plane = xOff + c * g.h() * g.w();
        int colShift = kj * g.dw() - g.padLeft();
        int lo = g.firstValidX(kj * g.dw());
        int hi = g.endValidX(kj * g.dw());
        int ow = g.ow();
        int sw = g.sw();
        for (int oy = 0; oy < g.oh(); oy++) {
            int iy = oy * g.sh() - g.padTop() + ki * g.dh();
            int o = out + oy * ow;
            if (iy < 0 || iy >= g.h() || lo >= hi) {
                Arrays.fill(col, o, o + ow, 0f);
                continue;
            }
            Arrays.fill(col, o, o + lo, 0f);
            int src = plane + iy * g.w() + colShift;
            if (sw == 1) {
                System.arraycopy(x, src + lo, col, o + lo, hi - lo);
            } else {
                for (int ox = lo; ox < hi; ox++) {
                    col[o + ox] = x[src + ox * sw];
                }
            }
            Arrays.fill(col, o + hi, o + ow, 0f);
        }
    }

    /**
     * The {@code channels} planes of {@code x} with each image row split into its {@code sw}
     * column phases: row {@code iy} becomes {@code sw} rows of {@link #phaseWidth} pixels, phase
     * {@code r} holding columns {@code r, r+sw, r+2sw, ..}. A strided convolution then reads every
     * tap as a contiguous run (see {@link #pack}). x not modified; out (at least
     * {@code channels * h * sw * phaseWidth} floats) modified.
     */
    public static void splitPhases(float[] x, int xOff, int channels, Window2d g, float[] out) {
        int sw = g.sw();
        int wq = phaseWidth(g);
        int w = g.w();
        int rows = channels * g.h();
        for (int r = 0; r < rows; r++) {
            int src = xOff + r * w;
            int dst = r * sw * wq;
            for (int phase = 0; phase < sw; phase++) {
                int d = dst + phase * wq;
                int i = 0;
                for (int ix = phase; ix < w; ix += sw, i++) {
                    out[d + i] = x[src + ix];
                }
                for (; i < wq; i++) {
                    out[d + i] = 0f;
                }
            }
        }
    }

    /** Pixels per phase row of {@link #splitPhases}: {@code ceil(w / sw)}. */
    public static int phaseWidth(Window2d g) {
        return (g.w() + g.sw() - 1) / g.sw();
    }

    /**
     * Rows {@code p0 .. p0+kc} and columns {@code j0 .. j1} of the column matrix of {@link #im2col}
     * written straight into the panel layout of {@link Gemm.PanelSource#pack}: panels of {@code nr}
     * columns, each {@code nr * kc} floats, row-major inside, columns past {@code j1} zero. This
     * is im2col and GEMM packing in one pass, without the column matrix. With {@code split}, x
     * holds the planes as {@link #splitPhases} lays them out (from {@code xOff}), which turns the
     * strided reads of a strided convolution into contiguous ones. x not modified; dst modified.
     */
    public static void pack(float[] x, int xOff, Window2d g, boolean split, int p0, int kc, int j0, int j1, int nr, float[] dst) {
        int kw = g.kw();
        int kh = g.kh();
        int ow = g.ow();
        int sw = g.sw();
        int h = g.h();
        boolean phased = split && sw > 1;
        int wq = phaseWidth(g);
        int rowStride = phased ? sw * wq : g.w();
        int plane = h * rowStride;
        int step = phased ? 1 : sw;
        // Per kernel column: the valid output-column range and where output column 0 reads from
        // within an image row (the pixel of column ox is colBase + ox * step).
        int[] lo = new int[kw];
        int[] hi = new int[kw];
        int[] colBase = new int[kw];
        for (int kj = 0; kj < kw; kj++) {
            int shift = kj * g.dw() - g.padLeft();
            lo[kj] = g.firstValidX(kj * g.dw());
            hi[kj] = g.endValidX(kj * g.dw());
            colBase[kj] = phased ? Math.floorMod(shift, sw) * wq + Math.floorDiv(shift, sw) : shift;
        }
        // Segments: runs of output pixels inside one output row and one panel. For each, where it
        // starts in dst (less the row term p*nr), its first input row, first column and length.
        int maxSegs = (j1 - j0 + nr - 1) / nr * (nr / Math.max(1, Math.min(ow, nr)) + 2);
        int[] segDst = new int[maxSegs];
        int[] segIy = new int[maxSegs];
        int[] segOx = new int[maxSegs];
        int[] segLen = new int[maxSegs];
        int segs = 0;
        for (int j = j0; j < j1; ) {
            int panel = (j - j0) / nr;
            int q = (j - j0) % nr;
            int ox = j % ow;
            int len = Math.min(Math.min(nr - q, ow - ox), j1 - j);
            segDst[segs] = panel * nr * kc + q;
            segIy[segs] = (j / ow) * g.sh() - g.padTop();
            segOx[segs] = ox;
            segLen[segs] = len;
            segs++;
            j += len;
        }
        int tailPanel = (j1 - j0) % nr == 0 ? -1 : (j1 - j0) / nr;
        int tailCols = (j1 - j0) % nr;
        int kj = p0 % kw;
        int ki = (p0 / kw) % kh;
        int ch = p0 / (kw * kh);
        for (int p = 0; p < kc; p++) {
            int rowTerm = p * nr;
            int chanOff = xOff + ch * plane + colBase[kj];
            int yShift = ki * g.dh();
            int l = lo[kj];
            int u = hi[kj];
            for (int s = 0; s < segs; s++) {
                int d = segDst[s] + rowTerm;
                int len = segLen[s];
                int iy = segIy[s] + yShift;
                if (iy < 0 || iy >= h) {
                    Arrays.fill(dst, d, d + len, 0f);
                    continue;
                }
                int ox0 = segOx[s];
                int ox1 = ox0 + len;
                int src = chanOff + iy * rowStride;
                if (ox0 >= l && ox1 <= u) {
                    // Fully inside the image: the common case.
                    if (step == 1) {
                        System.arraycopy(x, src + ox0, dst, d, len);
                    } else {
                        for (int t = 0; t < len; t++) {
                            dst[d + t] = x[src + (ox0 + t) * step];
                        }
                    }
                    continue;
                }
                int a = Math.max(ox0, Math.min(ox1, l));
                int b = Math.min(ox1, Math.max(a, u));
                d -= ox0;
                for (int ox = ox0; ox < a; ox++) {
                    dst[d + ox] = 0f;
                }
                for (int ox = a; ox < b; ox++) {
                    dst[d + ox] = x[src + ox * step];
                }
                for (int ox = b; ox < ox1; ox++) {
                    dst[d + ox] = 0f;
                }
            }
            if (tailPanel >= 0) {
                int d = tailPanel * nr * kc + rowTerm;
                Arrays.fill(dst, d + tailCols, d + nr, 0f);
            }
            if (++kj == kw) {
                kj = 0;
                if (++ki == kh) {
                    ki = 0;
                    ch++;
                }
            }
        }
    }

    /**
     * Whether {@link #packSubsampled} applies: a 1x1 window without pads (any stride), whose column
     * matrix is the input sampled every {@code sh} rows and {@code sw} columns.
     */
    public static boolean subsampling(Window2d g) {
        return g.kh() == 1 && g.kw() == 1 && g.padTop() == 0 && g.padLeft() == 0 && g.padBottom() == 0 && g.padRight() == 0;
    }

    /**
     * {@link #pack} for a {@link #subsampling} window: row p of the column matrix is channel p's
     * pixels {@code (oy*sh, ox*sw)}, read straight from the stored planes. A strided 1x1
     * convolution (a ResNet's downsampling shortcut) touches a quarter of its input at stride 2,
     * so no phase split of the whole input is made. x not modified; dst modified.
     */
    public static void packSubsampled(float[] x, int xOff, Window2d g, int p0, int kc, int j0, int j1, int nr, float[] dst) {
        int ow = g.ow();
        int w = g.w();
        int sw = g.sw();
        int plane = g.h() * w;
        int width = j1 - j0;
        int panels = (width + nr - 1) / nr;
        // A panel row's pixels are runs along output rows (a panel can span several): per run its
        // place in the panel, its first pixel's offset in the channel plane, and its length.
        // Stride-2 runs are copied as vector deinterleaves. (Channel by channel, scattering each
        // over all panels, a first version took 1.5 ns per float, 1.7x this.)
        int maxRuns = panels * (nr / Math.max(1, ow) + 2);
        int[] runAt = new int[maxRuns];
        int[] runFrom = new int[maxRuns];
        int[] runLen = new int[maxRuns];
        int[] firstRun = new int[panels + 1];
        int runs = 0;
        for (int t = 0; t < panels; t++) {
            firstRun[t] = runs;
            int end = Math.min(j1, j0 + (t + 1) * nr);
            for (int j = j0 + t * nr; j < end; ) {
                int oy = j / ow;
                int ox = j % ow;
                int len = Math.min(end - j, ow - ox);
                runAt[runs] = j - j0 - t * nr;
                runFrom[runs] = oy * g.sh() * w + ox * sw;
                runLen[runs] = len;
                runs++;
                j += len;
            }
        }
        firstRun[panels] = runs;
        boolean evenRuns = Gemm.SHUFFLES && sw == 2;
        // Eight channels at a time, panel by panel: the reads are then eight forward streams
        // through their planes (all 64 channels per panel measured 20-30 % slower).
        for (int pc = 0; pc < kc; pc += 8) {
            int pe = Math.min(kc, pc + 8);
            for (int t = 0; t < panels; t++) {
                int cols = Math.min(nr, width - t * nr);
                for (int p = pc, d = t * nr * kc + pc * nr; p < pe; p++, d += nr) {
                    int base = xOff + (p0 + p) * plane;
                    for (int r = firstRun[t]; r < firstRun[t + 1]; r++) {
                        int src = base + runFrom[r];
                        int at = d + runAt[r];
                        int len = runLen[r];
                        // The vector form reads one float past the run's last pixel.
                        if (evenRuns && len >= SimdPooling.L && src + 2 * len <= x.length) {
                            SimdPooling.gatherEven(x, src, dst, at, len);
                        } else {
                            for (int q = 0; q < len; q++) {
                                dst[at + q] = x[src + q * sw];
                            }
                        }
                    }
                    if (cols < nr) {
                        Arrays.fill(dst, d + cols, d + nr, 0f);
                    }
                }
            }
        }
    }

    /**
     * Whether {@link #packShifted} applies: the output is as wide as a phase row of the input
     * ({@code ow == ceil(w / sw)}, true of every "same"-padded convolution and of most strided
     * ones), so that along a panel consecutive output pixels read consecutive stored pixels.
     */
    public static boolean shiftable(Window2d g) {
        return g.ow() == phaseWidth(g);
    }

    /** Floats {@link #splitPhases2d} writes for {@code channels} planes. */
    public static int phasedSize(int channels, Window2d g) {
        return channels * g.sh() * g.sw() * phaseHeight(g) * phaseWidth(g);
    }

    private static int phaseHeight(Window2d g) {
        return (g.h() + g.sh() - 1) / g.sh();
    }

    /**
     * The {@code channels} planes of {@code x} split by row and column phase: for each channel,
     * {@code sh * sw} planes of {@code ceil(h/sh) x ceil(w/sw)}, plane {@code (ry, rx)} holding
     * pixels {@code (ry + sh*qy, rx + sw*qx)} and zeros where those fall outside the image. A
     * strided convolution on this layout reads each tap as a shifted contiguous run. x not
     * modified; out modified ({@link #phasedSize} floats from 0).
     */
    public static void splitPhases2d(float[] x, int xOff, int channels, Window2d g, float[] out) {
        int sh = g.sh();
        int sw = g.sw();
        int hq = phaseHeight(g);
        int wq = phaseWidth(g);
        int h = g.h();
        int w = g.w();
        int phases = sh * sw;
        if (sw == 2 && Gemm.SIMD && w / 2 >= SimdPooling.L) {
            // Both column phases of a row in one pass of vector deinterleaves: the scalar
            // strided copy below was a tenth of a stride-2 3x3 layer's forward.
            Parallel.forRange(channels * sh, Math.max(1, 8192 / Math.max(1, hq * wq)), (from, to) -> {
                for (int task = from; task < to; task++) {
                    int c = task / sh;
                    int ry = task % sh;
                    int plane = xOff + c * h * w;
                    int even = (c * phases + ry * 2) * hq * wq;
                    int odd = even + hq * wq;
                    for (int qy = 0; qy < hq; qy++, even += wq, odd += wq) {
                        int iy = ry + sh * qy;
                        if (iy >= h) {
                            Arrays.fill(out, even, even + wq, 0f);
                            Arrays.fill(out, odd, odd + wq, 0f);
                            continue;
                        }
                        int row = plane + iy * w;
                        int pairs = w / 2;
                        SimdPooling.deinterleave(x, row, out, even, odd, pairs);
                        int evens = pairs;
                        if (w % 2 == 1) {
                            out[even + evens++] = x[row + w - 1];
                        }
                        Arrays.fill(out, even + evens, even + wq, 0f);
                        Arrays.fill(out, odd + pairs, odd + wq, 0f);
                    }
                }
            });
            return;
        }
        // One task per (channel, phase): a first layer's three channels are still twelve tasks
        // at stride 2, so the other thread is not left spinning through a serial copy.
        Parallel.forRange(channels * phases, Math.max(1, 16384 / Math.max(1, hq * wq)), (from, to) -> {
            for (int task = from; task < to; task++) {
                int c = task / phases;
                int ry = task % phases / sw;
                int rx = task % sw;
                int plane = xOff + c * h * w;
                int d = task * hq * wq;
                for (int qy = 0; qy < hq; qy++, d += wq) {
                    int iy = ry + sh * qy;
                    int i = 0;
                    if (iy < h) {
                        int row = plane + iy * w;
                        for (int ix = rx; ix < w; ix += sw, i++) {
                            out[d + i] = x[row + ix];
                        }
                    }
                    Arrays.fill(out, d + i, d + wq, 0f);
                }
            }
        });
    }

    /**
     * {@link #pack} for a {@link #shiftable} window: for each row of the column matrix (a channel
     * and a tap), a panel's pixels are one contiguous run of the stored plane shifted by the tap's
     * offset, so each panel row is one copy; the few pixels whose tap falls in the left or right
     * padding are then zeroed, and runs that leave the plane (top and bottom padding) are
     * filled per pixel. {@code x} holds the planes as stored ({@code sh == sw == 1}) or as
     * {@link #splitPhases2d} lays them out. Same output as {@link #pack}. x not modified; dst
     * modified.
     */
    public static void packShifted(float[] x, int xOff, Window2d g, int p0, int kc, int j0, int j1, int nr, float[] dst) {
        int kw = g.kw();
        int kh = g.kh();
        int ow = g.ow();
        int sh = g.sh();
        int sw = g.sw();
        int hq = phaseHeight(g);
        int wq = phaseWidth(g);
        boolean phased = sh > 1 || sw > 1;
        int phasePlane = phased ? hq * wq : g.h() * g.w();
        int chanSize = phased ? sh * sw * phasePlane : phasePlane;
        // Per tap column kj: the phase column and shift, and the pixels j in [j0, j1) whose input
        // column falls outside the image (to be zeroed after the copy).
        int[] rx = new int[kw];
        int[] dx = new int[kw];
        int[][] badJ = new int[kw][];
        for (int kj = 0; kj < kw; kj++) {
            int shift = kj * g.dw() - g.padLeft();
            rx[kj] = Math.floorMod(shift, sw);
            dx[kj] = Math.floorDiv(shift, sw);
            int lo = g.firstValidX(kj * g.dw());
            int hi = g.endValidX(kj * g.dw());
            int count = 0;
            int[] list = new int[16];
            for (int j = j0; j < j1; j++) {
                int ox = j % ow;
                if (ox < lo || ox >= hi) {
                    if (count == list.length) {
                        list = Arrays.copyOf(list, count * 2);
                    }
                    list[count++] = j;
                }
            }
            badJ[kj] = Arrays.copyOf(list, count);
        }
        int width = j1 - j0;
        // A whole panel row in two vector moves (an arraycopy call of 16 floats costs several times that).
        boolean vectorRows = Gemm.SIMD && nr == SimdGemm.NR;
        int full = width / nr;
        int rest = width - full * nr;
        int kj = p0 % kw;
        int ki = (p0 / kw) % kh;
        int ch = p0 / (kw * kh);
        for (int p = 0; p < kc; p++) {
            int shiftY = ki * g.dh() - g.padTop();
            int ry = Math.floorMod(shiftY, sh);
            int dy = Math.floorDiv(shiftY, sh);
            int planeStart = xOff + ch * chanSize + (ry * sw + rx[kj]) * phasePlane;
            int planeEnd = planeStart + phasePlane;
            // Stored index of output pixel j: planeStart + j + shift.
            int shift = dy * wq + dx[kj];
            int rowTerm = p * nr;
            int src = planeStart + j0 + shift;
            int d = rowTerm;
            for (int t = 0; t <= full; t++, src += nr, d += nr * kc) {
                int cnt = t < full ? nr : rest;
                if (cnt == 0) {
                    break;
                }
                if (src >= planeStart && src + cnt <= planeEnd) {
                    if (vectorRows && cnt == nr) {
                        SimdGemm.copyPanelRow(x, src, dst, d);
                    } else {
                        System.arraycopy(x, src, dst, d, cnt);
                    }
                } else {
                    for (int q = 0; q < cnt; q++) {
                        int i = src + q;
                        dst[d + q] = i >= planeStart && i < planeEnd ? x[i] : 0f;
                    }
                }
                if (cnt < nr) {
                    Arrays.fill(dst, d + cnt, d + nr, 0f);
                }
            }
            for (int j : badJ[kj]) {
                int off = j - j0;
                dst[(off / nr) * nr * kc + rowTerm + off % nr] = 0f;
            }
            if (++kj == kw) {
                kj = 0;
                if (++ki == kh) {
                    ki = 0;
                    ch++;
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: adds every column entry back onto the pixel it came from,
     * {@code dx[dxOff + ...] += col[...]} (entries that came from padding are dropped). col not
     * modified; dx modified (accumulated into). Parallel over channels.
     */
    public static void col2im(float[] col, int colOff, int channels, Window2d g, float[] dx, int dxOff) {
        int taps = g.kh() * g.kw();
        int np = g.outPlane();
        // Tasks are bands of input rows of one channel, so an image with few channels (the RGB input
        // of a first layer) still splits evenly; each output element is written by one task only,
        // and summed over the taps in the same order as a whole-channel pass.
        int bandsPerChannel = Math.max(1, Math.min(g.h(), (8 * Parallel.threads() + channels - 1) / channels));
        int rowsPerBand = (g.h() + bandsPerChannel - 1) / bandsPerChannel;
        int bands = (g.h() + rowsPerBand - 1) / rowsPerBand;
        long workPerBand = (long) np * taps / bands;
        Parallel.forRange(channels * bands, (int) Math.max(1, 16384 / Math.max(1, workPerBand)), (from, to) -> {
            for (int task = from; task < to; task++) {
                int c = task / bands;
                int y0 = (task % bands) * rowsPerBand;
                int y1 = Math.min(g.h(), y0 + rowsPerBand);
                for (int t = 0; t < taps; t++) {
                    int r = c * taps + t;
                    foldRow(col, colOff + r * np, r, g, dx, dxOff, y0, y1);
                }
            }
        });
    }

    /** Adds column row r into dx, for the input rows [y0, y1) only. dx modified; col not modified. */
    private static void foldRow(float[] col, int in, int r, Window2d g, float[] dx, int dxOff, int y0, int y1) {
        int kj = r % g.kw();
        int ki = (r / g.kw()) % g.kh();
        int c = r / (g.kw() * g.kh());
        int plane = dxOff + c * g.h() * g.w();
        int colShift = kj * g.dw() - g.padLeft();
        int lo = g.firstValidX(kj * g.dw());
        int hi = g.endValidX(kj * g.dw());
        int ow = g.ow();
        int sw = g.sw();
        int shift = g.padTop() - ki * g.dh();
        // iy = oy * sh - shift lies in [y0, y1) for oy in [ceil((y0 + shift) / sh), ceil((y1 + shift) / sh)).
        int oyFrom = Math.max(0, Math.floorDiv(y0 + shift + g.sh() - 1, g.sh()));
        int oyTo = Math.min(g.oh(), Math.floorDiv(y1 + shift + g.sh() - 1, g.sh()));
        for (int oy = oyFrom; oy < oyTo; oy++) {
            int iy = oy * g.sh() - shift;
            int o = in + oy * ow;
            int dst = plane + iy * g.w() + colShift;
            for (int ox = lo; ox < hi; ox++) {
                dx[dst + ox * sw] += col[o + ox];
            }
        }
    }
}
