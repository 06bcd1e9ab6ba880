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
     * The adjoint of {@link #im2col}: adds every column entry back onto the pixel it came from,
     * {@code dx[dxOff + ...] += col[...]} (entries that came from padding are dropped). col not
     * modified; dx modified (accumulated into). Parallel over channels.
     */
    public static void col2im(float[] col, int colOff, int channels, Window2d g, float[] dx, int dxOff) {
        int taps = g.kh() * g.kw();
        int np = g.outPlane();
        Parallel.forRange(channels, Math.max(1, 16384 / Math.max(1, np * taps)), (from, to) -> {
            for (int c = from; c < to; c++) {
                for (int t = 0; t < taps; t++) {
                    int r = c * taps + t;
                    foldRow(col, colOff + r * np, r, g, dx, dxOff);
                }
            }
        });
    }

    private static void foldRow(float[] col, int in, int r, Window2d g, float[] dx, int dxOff) {
        int kj = r % g.kw();
        int ki = (r / g.kw()) % g.kh();
        int c = r / (g.kw() * g.kh());
        int plane = dxOff + c * g.h() * g.w();
        int colShift = kj * g.dw() - g.padLeft();
        int lo = g.firstValidX(kj * g.dw());
        int hi = g.endValidX(kj * g.dw());
        int ow = g.ow();
        int sw = g.sw();
        for (int oy = 0; oy < g.oh(); oy++) {
            int iy = oy * g.sh() - g.padTop() + ki * g.dh();
            if (iy < 0 || iy >= g.h()) {
                continue;
            }
            int o = in + oy * ow;
            int dst = plane + iy * g.w() + colShift;
            for (int ox = lo; ox < hi; ox++) {
                dx[dst + ox * sw] += col[o + ox];
            }
        }
    }
}
