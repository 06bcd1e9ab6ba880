package dev.loupe.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of {@link Winograd}'s transforms, one vector of tiles at a time. They write 16
 * blocks of one array at once, which C2's auto-vectoriser does not attempt. Only loaded when
 * {@code jdk.incubator.vector} is present (see {@link Gemm#SIMD}).
 */
final class SimdWinograd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private SimdWinograd() {
    }

    /**
     * One row of tiles of the input transform for tiles [0, upTo) (a multiple of the vector
     * length), from four rows of even and odd columns at q0..q3. Arrays as in
     * {@link Winograd#transformInput}; v modified.
     */
    static int inputRow(float[] even, float[] odd, int q0, int q1, int q2, int q3, float[] v, int d, int stride, int tilesX) {
        int upTo = tilesX - tilesX % L;
        for (int tx = 0; tx < upTo; tx += L) {
            FloatVector e0 = FloatVector.fromArray(S, even, q0 + tx);
            FloatVector f0 = FloatVector.fromArray(S, even, q0 + tx + 1);
            FloatVector o0 = FloatVector.fromArray(S, odd, q0 + tx);
            FloatVector u0 = FloatVector.fromArray(S, odd, q0 + tx + 1);
            FloatVector e2 = FloatVector.fromArray(S, even, q2 + tx);
            FloatVector f2 = FloatVector.fromArray(S, even, q2 + tx + 1);
            FloatVector o2 = FloatVector.fromArray(S, odd, q2 + tx);
            FloatVector u2 = FloatVector.fromArray(S, odd, q2 + tx + 1);
            FloatVector r00 = e0.sub(f0);
            FloatVector r01 = o0.add(f0);
            FloatVector r02 = f0.sub(o0);
            FloatVector r03 = o0.sub(u0);
            FloatVector r20 = e2.sub(f2);
            FloatVector r21 = o2.add(f2);
            FloatVector r22 = f2.sub(o2);
            FloatVector r23 = o2.sub(u2);
            int at = d + tx;
            r00.sub(r20).intoArray(v, at);
            r01.sub(r21).intoArray(v, stride + at);
            r02.sub(r22).intoArray(v, 2 * stride + at);
            r03.sub(r23).intoArray(v, 3 * stride + at);
            FloatVector e1 = FloatVector.fromArray(S, even, q1 + tx);
            FloatVector f1 = FloatVector.fromArray(S, even, q1 + tx + 1);
            FloatVector o1 = FloatVector.fromArray(S, odd, q1 + tx);
            FloatVector u1 = FloatVector.fromArray(S, odd, q1 + tx + 1);
            FloatVector r10 = e1.sub(f1);
            FloatVector r11 = o1.add(f1);
            FloatVector r12 = f1.sub(o1);
            FloatVector r13 = o1.sub(u1);
            r10.add(r20).intoArray(v, 4 * stride + at);
            r11.add(r21).intoArray(v, 5 * stride + at);
            r12.add(r22).intoArray(v, 6 * stride + at);
            r13.add(r23).intoArray(v, 7 * stride + at);
            r20.sub(r10).intoArray(v, 8 * stride + at);
            r21.sub(r11).intoArray(v, 9 * stride + at);
            r22.sub(r12).intoArray(v, 10 * stride + at);
            r23.sub(r13).intoArray(v, 11 * stride + at);
            FloatVector e3 = FloatVector.fromArray(S, even, q3 + tx);
            FloatVector f3 = FloatVector.fromArray(S, even, q3 + tx + 1);
            FloatVector o3 = FloatVector.fromArray(S, odd, q3 + tx);
            FloatVector u3 = FloatVector.fromArray(S, odd, q3 + tx + 1);
            r10.sub(e3.sub(f3)).intoArray(v, 12 * stride + at);
            r11.sub(o3.add(f3)).intoArray(v, 13 * stride + at);
            r12.sub(f3.sub(o3)).intoArray(v, 14 * stride + at);
            r13.sub(o3.sub(u3)).intoArray(v, 15 * stride + at);
        }
        return upTo;
    }

    /**
     * The first stage of the output transform for tiles [0, upTo) of a run of {@code tiles}
     * consecutive in M from {@code src} (a plane's tile rows): {@code s[b*tiles + f] = M0b + M1b + M2b}
     * and {@code s[(4 + b)*tiles + f] = M1b - M2b - M3b} for each tile column b, as in
     * {@link Winograd#transformOutput}. s modified. Returns upTo, the tiles done.
     */
    static int outputTiles(float[] mm, int src, int stride, float[] s, int tiles) {
        int upTo = tiles - tiles % L;
        for (int b = 0; b < 4; b++) {
            int m0 = b * stride + src;
            int m1 = (4 + b) * stride + src;
            int m2 = (8 + b) * stride + src;
            int m3 = (12 + b) * stride + src;
            int s0 = b * tiles;
            int s1 = (4 + b) * tiles;
            for (int f = 0; f < upTo; f += L) {
                FloatVector a1 = FloatVector.fromArray(S, mm, m1 + f);
                FloatVector a2 = FloatVector.fromArray(S, mm, m2 + f);
                FloatVector.fromArray(S, mm, m0 + f).add(a1).add(a2).intoArray(s, s0 + f);
                a1.sub(a2).sub(FloatVector.fromArray(S, mm, m3 + f)).intoArray(s, s1 + f);
            }
        }
        return upTo;
    }
}
