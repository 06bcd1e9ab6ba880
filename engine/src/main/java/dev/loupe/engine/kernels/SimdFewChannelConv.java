package dev.loupe.engine.kernels;

import dev.loupe.engine.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FewChannelConv} with the Vector API.
 *
 * <p>The input is first copied into rows split by stride phase, with zeros for the pads:
 * {@code phased[ci][py][r][j] = x[ci][py - padTop][sx*j + r - padLeft]}. Output column ox then
 * takes tap kx from phase {@code kx % sx} at column {@code ox + kx / sx}, so for each tap a run of
 * output columns reads a run of consecutive phased columns, and no step needs a bounds test.
 *
 * <p>A register tile is two output channels by V vectors of one output row. With 16-lane vectors
 * (32 registers) V is seven, which covers the 112-column rows of the usual 224x224 stems exactly;
 * with 8-lane vectors (16 registers) V is five, so that the ten sums, two weights and a loaded
 * row stay in registers. One loop walks all {@code c*kh*kw} taps, loading V vectors and
 * broadcasting two weights per tap (C2 keeps vectors in registers through one loop, not through
 * several nested ones). A row that is not a whole number of tiles ends on a tile that overlaps
 * the one before it.
 *
 * <p>Only loaded when the incubator module is available; see {@link Gemm#SIMD}.
 */
final class SimdFewChannelConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Output channels per register tile. */
    private static final int CH = 2;
    /**
     * Vectors of one output row per register tile: seven with 32 vector registers (AVX-512), five
     * with 16 (AVX2), where seven left 3 of the 14 sums on the stack.
     */
    private static final int V = L >= 16 ? 7 : 5;
    /** Output columns per register tile. */
    static final int TILE_COLUMNS = V * L;

    private SimdFewChannelConv() {
    }

    static void forward(float[] x, int n, int c, int m, float[] w, float[] bias, boolean relu, Window2d g, float[] y) {
        int kh = g.kh();
        int kw = g.kw();
        int sy = g.sh();
        int sx = g.sw();
        int oh = g.oh();
        int ow = g.ow();
        int rows = (oh - 1) * sy + kh;
        // Columns the tiles cover: the whole row, or one tile when the row is narrower.
        int span = Math.max(ow, TILE_COLUMNS);
        int phaseWidth = span + (kw - 1) / sx;
        int taps = c * kh * kw;
        int[] offsets = new int[taps];
        for (int ci = 0; ci < c; ci++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    offsets[(ci * kh + ky) * kw + kx] = ((ci * rows + ky) * sx + kx % sx) * phaseWidth + kx / sx;
                }
            }
        }
        int mPadded = (m + CH - 1) / CH * CH;
        float[] wr = Gemm.derivedConstant(w, "few-channel-conv/" + c + "/" + m,
                () -> reorder(w, m, mPadded, taps));
        float[] b = new float[mPadded];
        if (bias != null) {
            System.arraycopy(bias, 0, b, 0, m);
        }
        float[] phased = Scratch.take(c * rows * sx * phaseWidth);
        int rowStride = sy * sx * phaseWidth;
        int plane = g.outPlane();
        for (int img = 0; img < n; img++) {
            int xOff = img * c * g.inPlane();
            Parallel.forRange(c * rows, 8, (from, to) -> {
                for (int row = from; row < to; row++) {
                    split(x, xOff, g, rows, phaseWidth, row, phased);
                }
            });
            int yOff = img * m * plane;
            Parallel.forRange(oh, 1, (from, to) -> {
                float[] narrow = ow < TILE_COLUMNS ? new float[CH * TILE_COLUMNS] : null;
                for (int oy = from; oy < to; oy++) {
                    int base = oy * rowStride;
                    for (int co = 0; co < m; co += CH) {
                        int at = yOff + co * plane + oy * ow;
                        int valid = Math.min(CH, m - co);
                        if (narrow == null) {
                            for (int x0 = 0; x0 < ow; x0 += TILE_COLUMNS) {
                                int start = Math.min(x0, ow - TILE_COLUMNS);
                                tile(phased, base + start, offsets, wr, co, b, relu, y, at + start, plane, valid);
                            }
                        } else {
                            tile(phased, base, offsets, wr, co, b, relu, narrow, 0, TILE_COLUMNS, CH);
                            for (int k = 0; k < valid; k++) {
                                System.arraycopy(narrow, k * TILE_COLUMNS, y, at + k * plane, ow);
                            }
                        }
                    }
                }
            });
        }
        Scratch.give(phased);
    }

    /**
     * {@code wr[(mi/CH*taps + t)*CH + mi%CH] = w[mi][t]} for tap t = (ci*kh + ky)*kw + kx, zero for
     * padded channels: each register tile's weights in the order its loop reads them, so a tile
     * streams one contiguous run (1.2 KB for a 7x7 RGB stem) instead of touching a cache line per
     * tap, which with 8-lane vectors made the stem about a fifth slower. w not modified.
     */
    private static float[] reorder(float[] w, int m, int mPadded, int taps) {
        float[] wr = new float[taps * mPadded];
        for (int mi = 0; mi < m; mi++) {
            for (int t = 0; t < taps; t++) {
                wr[(mi / CH * taps + t) * CH + mi % CH] = w[mi * taps + t];
            }
        }
        return wr;
    }

    /**
     * Phased row {@code row = ci*rows + py}: its sx phases, each phaseWidth long, from input row
     * {@code py - padTop} of channel ci (zeros outside the image). x not modified; phased modified.
     */
    private static void split(float[] x, int xOff, Window2d g, int rows, int phaseWidth, int row, float[] phased) {
        int ci = row / rows;
        int iy = row % rows - g.padTop();
        int sx = g.sw();
        int w = g.w();
        int padL = g.padLeft();
        int out = row * sx * phaseWidth;
        if (iy < 0 || iy >= g.h()) {
            java.util.Arrays.fill(phased, out, out + sx * phaseWidth, 0f);
            return;
        }
        int in = xOff + (ci * g.h() + iy) * w;
        for (int r = 0; r < sx; r++) {
            int o = out + r * phaseWidth;
            for (int j = 0; j < phaseWidth; j++) {
                int ix = sx * j + r - padL;
                phased[o + j] = ix >= 0 && ix < w ? x[in + ix] : 0f;
            }
        }
    }

    /**
     * Output channels co and co+1 of one output row at {@code TILE_COLUMNS} columns from the
     * phased index {@code base}, stored at {@code y[at + k*plane ...]} for the first {@code valid}
     * channels. phased, wr and bias not modified; y modified.
     */
    private static void tile(float[] phased, int base, int[] offsets, float[] wr, int co, float[] bias,
            boolean relu, float[] y, int at, int plane, int valid) {
        if (V == 5) {
            tileFive(phased, base, offsets, wr, co, bias, relu, y, at, plane, valid);
            return;
        }
        int wBase = co * offsets.length;
        FloatVector a0 = FloatVector.broadcast(S, bias[co]);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        FloatVector b0 = FloatVector.broadcast(S, bias[co + 1]);
        FloatVector b1 = b0;
        FloatVector b2 = b0;
        FloatVector b3 = b0;
        FloatVector b4 = b0;
        FloatVector b5 = b0;
        FloatVector b6 = b0;
        for (int t = 0; t < offsets.length; t++) {
            int p = base + offsets[t];
            FloatVector d0 = FloatVector.fromArray(S, phased, p);
            FloatVector d1 = FloatVector.fromArray(S, phased, p + L);
            FloatVector d2 = FloatVector.fromArray(S, phased, p + 2 * L);
            FloatVector d3 = FloatVector.fromArray(S, phased, p + 3 * L);
            FloatVector d4 = FloatVector.fromArray(S, phased, p + 4 * L);
            FloatVector d5 = FloatVector.fromArray(S, phased, p + 5 * L);
            FloatVector d6 = FloatVector.fromArray(S, phased, p + 6 * L);
            int wi = wBase + t * CH;
            FloatVector v = FloatVector.broadcast(S, wr[wi]);
            a0 = d0.fma(v, a0);
            a1 = d1.fma(v, a1);
            a2 = d2.fma(v, a2);
            a3 = d3.fma(v, a3);
            a4 = d4.fma(v, a4);
            a5 = d5.fma(v, a5);
            a6 = d6.fma(v, a6);
            v = FloatVector.broadcast(S, wr[wi + 1]);
            b0 = d0.fma(v, b0);
            b1 = d1.fma(v, b1);
            b2 = d2.fma(v, b2);
            b3 = d3.fma(v, b3);
            b4 = d4.fma(v, b4);
            b5 = d5.fma(v, b5);
            b6 = d6.fma(v, b6);
        }
        if (relu) {
            FloatVector z = FloatVector.zero(S);
            a0 = a0.max(z);
            a1 = a1.max(z);
            a2 = a2.max(z);
            a3 = a3.max(z);
            a4 = a4.max(z);
            a5 = a5.max(z);
            a6 = a6.max(z);
            b0 = b0.max(z);
            b1 = b1.max(z);
            b2 = b2.max(z);
            b3 = b3.max(z);
            b4 = b4.max(z);
            b5 = b5.max(z);
            b6 = b6.max(z);
        }
        a0.intoArray(y, at);
        a1.intoArray(y, at + L);
        a2.intoArray(y, at + 2 * L);
        a3.intoArray(y, at + 3 * L);
        a4.intoArray(y, at + 4 * L);
        a5.intoArray(y, at + 5 * L);
        a6.intoArray(y, at + 6 * L);
        if (valid > 1) {
            int at1 = at + plane;
            b0.intoArray(y, at1);
            b1.intoArray(y, at1 + L);
            b2.intoArray(y, at1 + 2 * L);
            b3.intoArray(y, at1 + 3 * L);
            b4.intoArray(y, at1 + 4 * L);
            b5.intoArray(y, at1 + 5 * L);
            b6.intoArray(y, at1 + 6 * L);
        }
    }

    /**
     * The tile for 16 vector registers: two output channels by five vectors, ten sums, two
     * broadcast weights and one loaded row at a time, so nothing is spilled. On the Zen 3 VM of
     * sessions 17-19 an L1 load took about as long as an FMA, so this tile's 7 loads per 10 FMAs
     * beat one channel by seven vectors (8 per 7) even with the overlapping last tile of a row.
     * phased, wr and bias not modified; y modified.
     */
    private static void tileFive(float[] phased, int base, int[] offsets, float[] wr, int co, float[] bias,
            boolean relu, float[] y, int at, int plane, int valid) {
        FloatVector a0 = FloatVector.broadcast(S, bias[co]);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector b0 = FloatVector.broadcast(S, bias[co + 1]);
        FloatVector b1 = b0;
        FloatVector b2 = b0;
        FloatVector b3 = b0;
        FloatVector b4 = b0;
        int wBase = co * offsets.length;
        for (int t = 0; t < offsets.length; t++) {
            int p = base + offsets[t];
            int wi = wBase + t * CH;
            FloatVector v = FloatVector.broadcast(S, wr[wi]);
            FloatVector u = FloatVector.broadcast(S, wr[wi + 1]);
            FloatVector d = FloatVector.fromArray(S, phased, p);
            a0 = d.fma(v, a0);
            b0 = d.fma(u, b0);
            d = FloatVector.fromArray(S, phased, p + L);
            a1 = d.fma(v, a1);
            b1 = d.fma(u, b1);
            d = FloatVector.fromArray(S, phased, p + 2 * L);
            a2 = d.fma(v, a2);
            b2 = d.fma(u, b2);
            d = FloatVector.fromArray(S, phased, p + 3 * L);
            a3 = d.fma(v, a3);
            b3 = d.fma(u, b3);
            d = FloatVector.fromArray(S, phased, p + 4 * L);
            a4 = d.fma(v, a4);
            b4 = d.fma(u, b4);
        }
        if (relu) {
            FloatVector z = FloatVector.zero(S);
            a0 = a0.max(z);
            a1 = a1.max(z);
            a2 = a2.max(z);
            a3 = a3.max(z);
            a4 = a4.max(z);
            b0 = b0.max(z);
            b1 = b1.max(z);
            b2 = b2.max(z);
            b3 = b3.max(z);
            b4 = b4.max(z);
        }
        a0.intoArray(y, at);
        a1.intoArray(y, at + L);
        a2.intoArray(y, at + 2 * L);
        a3.intoArray(y, at + 3 * L);
        a4.intoArray(y, at + 4 * L);
        if (valid > 1) {
            int at1 = at + plane;
            b0.intoArray(y, at1);
            b1.intoArray(y, at1 + L);
            b2.intoArray(y, at1 + 2 * L);
            b3.intoArray(y, at1 + 3 * L);
            b4.intoArray(y, at1 + 4 * L);
        }
    }
}
