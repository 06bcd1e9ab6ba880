package dev.loupe.engine.kernels;

import dev.loupe.engine.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FewChannelGrad} with the Vector API.
 *
 * <p>With stride s along x, the input columns {@code ix = s*q + r} of one phase r take the output
 * gradient's columns {@code q + off} through the taps {@code kx} with {@code r + padLeft - kx = s*off}:
 * for fixed (ky, kx, output channel) the phase's sums over consecutive q read consecutive output
 * columns. A register tile holds 4 vectors of q for all three channel slots (twelve sums); each
 * step loads four vectors of the output gradient and broadcasts three weights. Phases of at least
 * {@link #QW} columns take a wide tile instead: seven vectors (21 sums) with 32 vector registers,
 * three (9 sums) with 16, where 21 sums spilled to the stack. A phase that is not a whole number
 * of wide tiles ends on one that overlaps the one before it. The output
 * gradient is first copied into rows with zero margins, so that out-of-range columns read zeros
 * and no step needs a bounds test.
 *
 * <p>Only loaded when the incubator module is available; see {@link Gemm#SIMD}.
 */
final class SimdFewChannelGrad {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Columns of one phase per narrow register tile: four vectors. */
    private static final int QB = 4 * L;
    /**
     * Columns of one phase per wide register tile, all three channels, for phases at least that
     * long: seven vectors (21 sums) with 16 lanes, 112 columns, a 224-wide image at stride 2, which
     * four-vector tiles covered with 128; three vectors (9 sums) with 8 lanes and 16 registers
     * (JMH on the stem's input gradient, Zen 3: 120-149 -> 174-180 calls/s on one thread).
     */
    static final int QW = (L >= 16 ? 7 : 3) * L;
    /** Channel slots of the register tile (unused slots have zero weights). */
    private static final int SLOTS = FewChannelGrad.MAX_CHANNELS;

    private SimdFewChannelGrad() {
    }

    static void backwardData(float[] gy, int n, int c, int m, float[] w, Window2d g, float[] gx) {
        int kh = g.kh();
        int kw = g.kw();
        int sx = g.sw();
        int padL = g.padLeft();
        int oh = g.oh();
        int ow = g.ow();
        // Offsets of the output columns each phase's taps read, relative to q.
        int offMin = Integer.MAX_VALUE;
        int offMax = Integer.MIN_VALUE;
        for (int r = 0; r < sx; r++) {
            for (int kx = 0; kx < kw; kx++) {
                if (Math.floorMod(r + padL - kx, sx) == 0) {
                    int off = Math.floorDiv(r + padL - kx, sx);
                    offMin = Math.min(offMin, off);
                    offMax = Math.max(offMax, off);
                }
            }
        }
        int q = (g.w() + sx - 1) / sx;
        boolean wide = q >= QW;
        int qb = wide ? QW : QB;
        int qPadded = (q + qb - 1) / qb * qb;
        int margin = Math.max(0, -offMin);
        int rowLength = margin + Math.max(ow, qPadded + Math.max(0, offMax));
        float[] wr = Gemm.derivedConstant(w, "few-channel-grad/" + c + "/" + m, () -> reorder(w, m, c, kh, kw));
        float[] pad = Scratch.take(m * oh * rowLength);
        int plane = oh * ow;
        for (int img = 0; img < n; img++) {
            int yOff = img * m * plane;
            Parallel.forRange(m * oh, 64, (from, to) -> {
                for (int row = from; row < to; row++) {
                    int at = row * rowLength;
                    java.util.Arrays.fill(pad, at, at + margin, 0f);
                    System.arraycopy(gy, yOff + row * ow, pad, at + margin, ow);
                    java.util.Arrays.fill(pad, at + margin + ow, at + rowLength, 0f);
                }
            });
            int xOff = img * c * g.inPlane();
            Parallel.forRange(g.h(), 1, (from, to) -> {
                float[] tile = new float[SLOTS * qb];
                for (int iy = from; iy < to; iy++) {
                    for (int r = 0; r < sx && r < g.w(); r++) {
                        int qr = (g.w() - r + sx - 1) / sx;
                        for (int q0 = 0; q0 < qr; q0 += qb) {
                            // Wide tiles end on one that overlaps the one before it.
                            int start = wide ? Math.max(0, Math.min(q0, qr - qb)) : q0;
                            tile(pad, rowLength, oh, m, wr, g, iy, r, start + margin, wide, tile);
                            store(tile, qb, c, g, xOff, iy, r, start, gx);
                        }
                    }
                }
            });
        }
        Scratch.give(pad);
    }

    /** {@code wr[((ky*kw + kx)*m + mi)*SLOTS + ci] = w[mi][ci][ky][kx]}, zero for unused slots. w not modified. */
    private static float[] reorder(float[] w, int m, int c, int kh, int kw) {
        float[] wr = new float[kh * kw * m * SLOTS];
        for (int mi = 0; mi < m; mi++) {
            for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        wr[((ky * kw + kx) * m + mi) * SLOTS + ci] = w[((mi * c + ci) * kh + ky) * kw + kx];
                    }
                }
            }
        }
        return wr;
    }

    /**
     * {@code tile[ci*qb + j]} = the gradient of input (ci, iy, sx*(q0 + j) + r) for j in [0, qb), with
     * {@code start} the padded-row index of q0 (q0 plus the margin) and qb the tile's width,
     * {@link #QW} when wide, else {@link #QB}. tile modified.
     */
    private static void tile(float[] pad, int rowLength, int oh, int m, float[] wr, Window2d g, int iy, int r, int start,
            boolean wide, float[] tile) {
        int kh = g.kh();
        int kw = g.kw();
        int sy = g.sh();
        int sx = g.sw();
        int padL = g.padLeft();
        java.util.Arrays.fill(tile, 0f);
        for (int ky = 0; ky < kh; ky++) {
            int t = iy + g.padTop() - ky;
            if (t < 0 || t % sy != 0 || t / sy >= oh) {
                continue;
            }
            int rowBase = (t / sy) * rowLength + start;
            for (int kx = Math.floorMod(r + padL, sx); kx < kw; kx += sx) {
                int base = rowBase + Math.floorDiv(r + padL - kx, sx);
                if (wide) {
                    accumulateWide(pad, base, oh * rowLength, m, wr, (ky * kw + kx) * m * SLOTS, tile);
                } else {
                    accumulate(pad, base, oh * rowLength, m, wr, (ky * kw + kx) * m * SLOTS, tile);
                }
            }
        }
    }

    /**
     * One tap's terms over every output channel added to the tile: the sums stay in registers
     * for the whole loop, which is the only loop here (C2 keeps vectors in registers through one
     * loop, not through several nested ones). tile modified; pad and wr not modified.
     */
    private static void accumulate(float[] pad, int base, int planeStride, int m, float[] wr, int wb, float[] tile) {
        FloatVector a0 = FloatVector.fromArray(S, tile, 0);
        FloatVector a1 = FloatVector.fromArray(S, tile, L);
        FloatVector a2 = FloatVector.fromArray(S, tile, 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, tile, 3 * L);
        FloatVector b0 = FloatVector.fromArray(S, tile, QB);
        FloatVector b1 = FloatVector.fromArray(S, tile, QB + L);
        FloatVector b2 = FloatVector.fromArray(S, tile, QB + 2 * L);
        FloatVector b3 = FloatVector.fromArray(S, tile, QB + 3 * L);
        FloatVector c0 = FloatVector.fromArray(S, tile, 2 * QB);
        FloatVector c1 = FloatVector.fromArray(S, tile, 2 * QB + L);
        FloatVector c2 = FloatVector.fromArray(S, tile, 2 * QB + 2 * L);
        FloatVector c3 = FloatVector.fromArray(S, tile, 2 * QB + 3 * L);
        for (int mi = 0; mi < m; mi++) {
            int at = base + mi * planeStride;
            FloatVector d0 = FloatVector.fromArray(S, pad, at);
            FloatVector d1 = FloatVector.fromArray(S, pad, at + L);
            FloatVector d2 = FloatVector.fromArray(S, pad, at + 2 * L);
            FloatVector d3 = FloatVector.fromArray(S, pad, at + 3 * L);
            int wi = wb + mi * SLOTS;
            FloatVector v = FloatVector.broadcast(S, wr[wi]);
            a0 = d0.fma(v, a0);
            a1 = d1.fma(v, a1);
            a2 = d2.fma(v, a2);
            a3 = d3.fma(v, a3);
            v = FloatVector.broadcast(S, wr[wi + 1]);
            b0 = d0.fma(v, b0);
            b1 = d1.fma(v, b1);
            b2 = d2.fma(v, b2);
            b3 = d3.fma(v, b3);
            v = FloatVector.broadcast(S, wr[wi + 2]);
            c0 = d0.fma(v, c0);
            c1 = d1.fma(v, c1);
            c2 = d2.fma(v, c2);
            c3 = d3.fma(v, c3);
        }
        a0.intoArray(tile, 0);
        a1.intoArray(tile, L);
        a2.intoArray(tile, 2 * L);
        a3.intoArray(tile, 3 * L);
        b0.intoArray(tile, QB);
        b1.intoArray(tile, QB + L);
        b2.intoArray(tile, QB + 2 * L);
        b3.intoArray(tile, QB + 3 * L);
        c0.intoArray(tile, 2 * QB);
        c1.intoArray(tile, 2 * QB + L);
        c2.intoArray(tile, 2 * QB + 2 * L);
        c3.intoArray(tile, 2 * QB + 3 * L);
    }

    /** As {@link #accumulate} for the wide tile: seven vectors of columns, 21 sums. tile modified; pad and wr not modified. */
    private static void accumulateWide(float[] pad, int base, int planeStride, int m, float[] wr, int wb, float[] tile) {
        if (QW == 3 * L) {
            accumulateThree(pad, base, planeStride, m, wr, wb, tile);
            return;
        }
        FloatVector a0 = FloatVector.fromArray(S, tile, 0 * QW + 0 * L);
        FloatVector a1 = FloatVector.fromArray(S, tile, 0 * QW + 1 * L);
        FloatVector a2 = FloatVector.fromArray(S, tile, 0 * QW + 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, tile, 0 * QW + 3 * L);
        FloatVector a4 = FloatVector.fromArray(S, tile, 0 * QW + 4 * L);
        FloatVector a5 = FloatVector.fromArray(S, tile, 0 * QW + 5 * L);
        FloatVector a6 = FloatVector.fromArray(S, tile, 0 * QW + 6 * L);
        FloatVector b0 = FloatVector.fromArray(S, tile, 1 * QW + 0 * L);
        FloatVector b1 = FloatVector.fromArray(S, tile, 1 * QW + 1 * L);
        FloatVector b2 = FloatVector.fromArray(S, tile, 1 * QW + 2 * L);
        FloatVector b3 = FloatVector.fromArray(S, tile, 1 * QW + 3 * L);
        FloatVector b4 = FloatVector.fromArray(S, tile, 1 * QW + 4 * L);
        FloatVector b5 = FloatVector.fromArray(S, tile, 1 * QW + 5 * L);
        FloatVector b6 = FloatVector.fromArray(S, tile, 1 * QW + 6 * L);
        FloatVector c0 = FloatVector.fromArray(S, tile, 2 * QW + 0 * L);
        FloatVector c1 = FloatVector.fromArray(S, tile, 2 * QW + 1 * L);
        FloatVector c2 = FloatVector.fromArray(S, tile, 2 * QW + 2 * L);
        FloatVector c3 = FloatVector.fromArray(S, tile, 2 * QW + 3 * L);
        FloatVector c4 = FloatVector.fromArray(S, tile, 2 * QW + 4 * L);
        FloatVector c5 = FloatVector.fromArray(S, tile, 2 * QW + 5 * L);
        FloatVector c6 = FloatVector.fromArray(S, tile, 2 * QW + 6 * L);
        for (int mi = 0; mi < m; mi++) {
            int at = base + mi * planeStride;
            FloatVector d0 = FloatVector.fromArray(S, pad, at + 0 * L);
            FloatVector d1 = FloatVector.fromArray(S, pad, at + 1 * L);
            FloatVector d2 = FloatVector.fromArray(S, pad, at + 2 * L);
            FloatVector d3 = FloatVector.fromArray(S, pad, at + 3 * L);
            FloatVector d4 = FloatVector.fromArray(S, pad, at + 4 * L);
            FloatVector d5 = FloatVector.fromArray(S, pad, at + 5 * L);
            FloatVector d6 = FloatVector.fromArray(S, pad, at + 6 * L);
            int wi = wb + mi * SLOTS;
            FloatVector v = FloatVector.broadcast(S, wr[wi + 0]);
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
            v = FloatVector.broadcast(S, wr[wi + 2]);
            c0 = d0.fma(v, c0);
            c1 = d1.fma(v, c1);
            c2 = d2.fma(v, c2);
            c3 = d3.fma(v, c3);
            c4 = d4.fma(v, c4);
            c5 = d5.fma(v, c5);
            c6 = d6.fma(v, c6);
        }
        a0.intoArray(tile, 0 * QW + 0 * L);
        a1.intoArray(tile, 0 * QW + 1 * L);
        a2.intoArray(tile, 0 * QW + 2 * L);
        a3.intoArray(tile, 0 * QW + 3 * L);
        a4.intoArray(tile, 0 * QW + 4 * L);
        a5.intoArray(tile, 0 * QW + 5 * L);
        a6.intoArray(tile, 0 * QW + 6 * L);
        b0.intoArray(tile, 1 * QW + 0 * L);
        b1.intoArray(tile, 1 * QW + 1 * L);
        b2.intoArray(tile, 1 * QW + 2 * L);
        b3.intoArray(tile, 1 * QW + 3 * L);
        b4.intoArray(tile, 1 * QW + 4 * L);
        b5.intoArray(tile, 1 * QW + 5 * L);
        b6.intoArray(tile, 1 * QW + 6 * L);
        c0.intoArray(tile, 2 * QW + 0 * L);
        c1.intoArray(tile, 2 * QW + 1 * L);
        c2.intoArray(tile, 2 * QW + 2 * L);
        c3.intoArray(tile, 2 * QW + 3 * L);
        c4.intoArray(tile, 2 * QW + 4 * L);
        c5.intoArray(tile, 2 * QW + 5 * L);
        c6.intoArray(tile, 2 * QW + 6 * L);
    }

    /** The tile's columns that exist into row iy of each channel's gradient, every sx-th from r. gx modified. */
    private static void store(float[] tile, int qb, int c, Window2d g, int xOff, int iy, int r, int q0, float[] gx) {
        int w = g.w();
        int sx = g.sw();
        int count = Math.min(qb, (w - r + sx - 1) / sx - q0);
        for (int ci = 0; ci < c; ci++) {
            int row = xOff + (ci * g.h() + iy) * w + r + sx * q0;
            for (int j = 0; j < count; j++) {
                gx[row + sx * j] = tile[ci * qb + j];
            }
        }
    }

    /**
     * As {@link #accumulate} for the 16-register tile: three vectors of columns, nine sums, three
     * broadcast weights and one loaded row, so nothing is spilled. tile modified; pad and wr not
     * modified.
     */
    private static void accumulateThree(float[] pad, int base, int planeStride, int m, float[] wr, int wb, float[] tile) {
        FloatVector a0 = FloatVector.fromArray(S, tile, 0);
        FloatVector a1 = FloatVector.fromArray(S, tile, L);
        FloatVector a2 = FloatVector.fromArray(S, tile, 2 * L);
        FloatVector b0 = FloatVector.fromArray(S, tile, QW);
        FloatVector b1 = FloatVector.fromArray(S, tile, QW + L);
        FloatVector b2 = FloatVector.fromArray(S, tile, QW + 2 * L);
        FloatVector c0 = FloatVector.fromArray(S, tile, 2 * QW);
        FloatVector c1 = FloatVector.fromArray(S, tile, 2 * QW + L);
        FloatVector c2 = FloatVector.fromArray(S, tile, 2 * QW + 2 * L);
        for (int mi = 0; mi < m; mi++) {
            int at = base + mi * planeStride;
            int wi = wb + mi * SLOTS;
            FloatVector u = FloatVector.broadcast(S, wr[wi]);
            FloatVector v = FloatVector.broadcast(S, wr[wi + 1]);
            FloatVector z = FloatVector.broadcast(S, wr[wi + 2]);
            FloatVector d = FloatVector.fromArray(S, pad, at);
            a0 = d.fma(u, a0);
            b0 = d.fma(v, b0);
            c0 = d.fma(z, c0);
            d = FloatVector.fromArray(S, pad, at + L);
            a1 = d.fma(u, a1);
            b1 = d.fma(v, b1);
            c1 = d.fma(z, c1);
            d = FloatVector.fromArray(S, pad, at + 2 * L);
            a2 = d.fma(u, a2);
            b2 = d.fma(v, b2);
            c2 = d.fma(z, c2);
        }
        a0.intoArray(tile, 0);
        a1.intoArray(tile, L);
        a2.intoArray(tile, 2 * L);
        b0.intoArray(tile, QW);
        b1.intoArray(tile, QW + L);
        b2.intoArray(tile, QW + 2 * L);
        c0.intoArray(tile, 2 * QW);
        c1.intoArray(tile, 2 * QW + L);
        c2.intoArray(tile, 2 * QW + 2 * L);
    }
}
