package dev.loupe.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Winograd4}'s transforms one vector of tiles at a time. A row's last vector may run past
 * its last tile (into the room {@link Winograd4#OVERRUN} leaves), so every tile of a row is done
 * here. Only loaded when {@code jdk.incubator.vector} is present (see {@link Gemm#SIMD}).
 *
 * <p>Constant factors are vectors broadcast once per call rather than scalar arguments
 * ({@code v.mul(4f)}), and the input transform's two halves are two methods. Written the plain
 * way, JDK 17's C2 left the second half's stores unintrinsified ("failed to inline (intrinsic)"
 * under {@code -XX:+PrintInlining}), so each ran the Vector API's per-lane fallback (JFR:
 * {@code FloatVector.stOp}). On JDK 17, ResNet-18's batch-8 forward pass took 1.4x and 2.7x as
 * long as with this form in two runs, a traced batch-10 pass 1.4x and 1.05x. Either change alone
 * left the fallback in place; both together removed it. JDK 25 compiled every form well.
 */
final class SimdWinograd4 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private SimdWinograd4() {
    }

    /**
     * The interior of one row of {@link Winograd4#split}: {@code phase[aq + t] = x[row + 4t + q]}
     * for q in 0..3 and t in [lo, hi), where every read is inside the row, in whole vectors; when
     * the range holds at least one, its last vector overlaps the one before instead of leaving a
     * scalar tail. Four loads and eight two-vector shuffles per 4L floats (two rounds of the
     * stride-2 split); a range shorter than a vector takes one, see {@link #SHORT_ROWS}. x not
     * modified; phase modified (past hi too, for a short range). Returns the first t not done (lo or hi).
     */
    static int splitRow(float[] x, int row, int lo, int hi, float[] phase, int a0, int a1, int a2, int a3) {
        boolean shortRow = hi - lo < L;
        if (shortRow && (!SHORT_ROWS || hi - lo < SHORT_MIN || row + 4 * lo + 4 * L > x.length)) {
            return lo;
        }
        for (int t = lo; ; t += L) {
            if (t > hi - L && !shortRow) {
                t = hi - L;
            }
            int at = row + 4 * t;
            FloatVector v0 = FloatVector.fromArray(S, x, at);
            FloatVector v1 = FloatVector.fromArray(S, x, at + L);
            FloatVector v2 = FloatVector.fromArray(S, x, at + 2 * L);
            FloatVector v3 = FloatVector.fromArray(S, x, at + 3 * L);
            // Columns 0 and 2 of each group of four, then 1 and 3.
            FloatVector even01 = v0.rearrange(SimdPooling.EVEN, v1);
            FloatVector even23 = v2.rearrange(SimdPooling.EVEN, v3);
            FloatVector odd01 = v0.rearrange(SimdPooling.ODD, v1);
            FloatVector odd23 = v2.rearrange(SimdPooling.ODD, v3);
            even01.rearrange(SimdPooling.EVEN, even23).intoArray(phase, a0 + t);
            odd01.rearrange(SimdPooling.EVEN, odd23).intoArray(phase, a1 + t);
            even01.rearrange(SimdPooling.ODD, even23).intoArray(phase, a2 + t);
            odd01.rearrange(SimdPooling.ODD, odd23).intoArray(phase, a3 + t);
            if (t >= hi - L) {
                return hi;
            }
        }
    }

    /**
     * Rows shorter than a vector (every layer of a 224-pixel ResNet when L is 16) take one vector
     * too, from {@link #SHORT_MIN} tiles on: its lanes past {@code hi} read on into x (within the
     * array) and land on phase entries that {@link Winograd4#split} writes afterwards (the row's
     * border tiles, the later phase rows of the same block, in order) or in the overrun room at
     * the block's end. {@code -Dloupe.winograd.short-rows=false} turns it off.
     */
    static final boolean SHORT_ROWS = !"false".equals(System.getProperty("loupe.winograd.short-rows"));
    /** Fewer tiles than this stay scalar: one vector of shuffles costs about what a few tiles do. */
    static final int SHORT_MIN = 4;

    /**
     * The input transform of tiles [0, tilesX) of one tile row whose tile 0 has its (0, 0) element
     * at {@code base} of phase 0; arrays as in {@link Winograd4#transformInput}. z is scratch of
     * at least 36 vectors. v and z modified. Returns tilesX.
     */
    static int inputRow(float[] phase, int phaseSize, int base, int r, float[] v, int d, int stride, int tilesX, float[] z) {
        FloatVector two = FloatVector.broadcast(S, 2f);
        FloatVector four = FloatVector.broadcast(S, 4f);
        FloatVector minus4 = FloatVector.broadcast(S, -4f);
        FloatVector minus5 = FloatVector.broadcast(S, -5f);
        for (int tx = 0; tx < tilesX; tx += L) {
            // z[k][b] = (d B)[k][b]: each tile row k transformed along x.
            for (int k = 0; k < 6; k++) {
                int row = ((k & 3) * 4) * phaseSize + base + (k >> 2) * r + tx;
                FloatVector d0 = FloatVector.fromArray(S, phase, row);
                FloatVector d1 = FloatVector.fromArray(S, phase, row + phaseSize);
                FloatVector d2 = FloatVector.fromArray(S, phase, row + 2 * phaseSize);
                FloatVector d3 = FloatVector.fromArray(S, phase, row + 3 * phaseSize);
                FloatVector d4 = FloatVector.fromArray(S, phase, row + 1);
                FloatVector d5 = FloatVector.fromArray(S, phase, row + phaseSize + 1);
                int off = k * 6 * L;
                FloatVector p = d2.mul(minus4).add(d4);
                FloatVector q = d1.mul(four).sub(d3);
                FloatVector s = d4.sub(d2);
                FloatVector t = d1.sub(d3).mul(two);
                d0.mul(four).add(d2.mul(minus5)).add(d4).intoArray(z, off);
                p.sub(q).intoArray(z, off + L);
                p.add(q).intoArray(z, off + 2 * L);
                s.sub(t).intoArray(z, off + 3 * L);
                s.add(t).intoArray(z, off + 4 * L);
                d1.mul(four).add(d3.mul(minus5)).add(d5).intoArray(z, off + 5 * L);
            }
            // V[a][b] = (B^T z)[a][b].
            columns(z, v, d + tx, stride);
        }
        return tilesX;
    }

    /**
     * {@code v[at + (6a + b) * stride] = (B^T z)[a][b]} for one vector of tiles: the second half of
     * {@link #inputRow} (its own method for JDK 17, see the class comment). z not modified; v modified.
     */
    private static void columns(float[] z, float[] v, int at, int stride) {
        FloatVector two = FloatVector.broadcast(S, 2f);
        FloatVector four = FloatVector.broadcast(S, 4f);
        FloatVector minus4 = FloatVector.broadcast(S, -4f);
        FloatVector minus5 = FloatVector.broadcast(S, -5f);
        for (int b = 0; b < 6; b++) {
            FloatVector e0 = FloatVector.fromArray(S, z, b * L);
            FloatVector e1 = FloatVector.fromArray(S, z, (6 + b) * L);
            FloatVector e2 = FloatVector.fromArray(S, z, (12 + b) * L);
            FloatVector e3 = FloatVector.fromArray(S, z, (18 + b) * L);
            FloatVector e4 = FloatVector.fromArray(S, z, (24 + b) * L);
            FloatVector e5 = FloatVector.fromArray(S, z, (30 + b) * L);
            FloatVector p = e2.mul(minus4).add(e4);
            FloatVector q = e1.mul(four).sub(e3);
            FloatVector s = e4.sub(e2);
            FloatVector t = e1.sub(e3).mul(two);
            e0.mul(four).add(e2.mul(minus5)).add(e4).intoArray(v, at + b * stride);
            p.sub(q).intoArray(v, at + (6 + b) * stride);
            p.add(q).intoArray(v, at + (12 + b) * stride);
            s.sub(t).intoArray(v, at + (18 + b) * stride);
            s.add(t).intoArray(v, at + (24 + b) * stride);
            e1.mul(four).add(e3.mul(minus5)).add(e5).intoArray(v, at + (30 + b) * stride);
        }
    }

    /**
     * The output transform of tiles [0, tiles), consecutive in M from {@code src} of position 0
     * (a plane's tile rows, one after another), into o as in {@link Winograd4#transformOutput}; s
     * is scratch of at least 24 vectors. o and s modified. Returns tiles.
     */
    static int outputTiles(float[] mm, int src, int stride, float[] s, float[] o, int ot, int tiles) {
        FloatVector two = FloatVector.broadcast(S, 2f);
        FloatVector four = FloatVector.broadcast(S, 4f);
        FloatVector eight = FloatVector.broadcast(S, 8f);
        for (int f = 0; f < tiles; f += L) {
            int at = src + f;
            for (int b = 0; b < 6; b++) {
                FloatVector m0 = FloatVector.fromArray(S, mm, at + b * stride);
                FloatVector m1 = FloatVector.fromArray(S, mm, at + (6 + b) * stride);
                FloatVector m2 = FloatVector.fromArray(S, mm, at + (12 + b) * stride);
                FloatVector m3 = FloatVector.fromArray(S, mm, at + (18 + b) * stride);
                FloatVector m4 = FloatVector.fromArray(S, mm, at + (24 + b) * stride);
                FloatVector m5 = FloatVector.fromArray(S, mm, at + (30 + b) * stride);
                FloatVector sum12 = m1.add(m2);
                FloatVector dif12 = m1.sub(m2);
                FloatVector sum34 = m3.add(m4);
                FloatVector dif34 = m3.sub(m4);
                m0.add(sum12).add(sum34).intoArray(s, b * L);
                dif12.add(dif34.mul(two)).intoArray(s, (6 + b) * L);
                sum12.add(sum34.mul(four)).intoArray(s, (12 + b) * L);
                dif12.add(dif34.mul(eight)).add(m5).intoArray(s, (18 + b) * L);
            }
            for (int i = 0; i < 4; i++) {
                FloatVector m0 = FloatVector.fromArray(S, s, (i * 6) * L);
                FloatVector m1 = FloatVector.fromArray(S, s, (i * 6 + 1) * L);
                FloatVector m2 = FloatVector.fromArray(S, s, (i * 6 + 2) * L);
                FloatVector m3 = FloatVector.fromArray(S, s, (i * 6 + 3) * L);
                FloatVector m4 = FloatVector.fromArray(S, s, (i * 6 + 4) * L);
                FloatVector m5 = FloatVector.fromArray(S, s, (i * 6 + 5) * L);
                FloatVector sum12 = m1.add(m2);
                FloatVector dif12 = m1.sub(m2);
                FloatVector sum34 = m3.add(m4);
                FloatVector dif34 = m3.sub(m4);
                int to = (i * 4) * ot + f;
                m0.add(sum12).add(sum34).intoArray(o, to);
                dif12.add(dif34.mul(two)).intoArray(o, to + ot);
                sum12.add(sum34.mul(four)).intoArray(o, to + 2 * ot);
                dif12.add(dif34.mul(eight)).add(m5).intoArray(o, to + 3 * ot);
            }
        }
        return tiles;
    }
}
