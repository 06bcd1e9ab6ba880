package dev.loupe.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector loops of {@link Pooling}, and the stride-2 deinterleaves it shares with {@link Im2col}'s
 * strided 1x1 packing; only loaded when {@code jdk.incubator.vector} is present.
 */
final class SimdPooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Lanes 0, 2, 4, ... of two vectors side by side (the even ones of a pair): a stride-2 split. */
    static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);
    /** Lanes 1, 3, 5, ... of two vectors side by side. */
    static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);

    private SimdPooling() {
    }

    /**
     * {@code acc[a + i] = Math.max(acc[a + i], src[s + i])} over the whole vectors of [0, n).
     * src not modified; acc modified.
     *
     * @return how many elements were done (the caller does the rest)
     */
    static int maxInto(float[] acc, int a, float[] src, int s, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, acc, a + i).max(FloatVector.fromArray(S, src, s + i)).intoArray(acc, a + i);
        }
        return i;
    }

    /** {@code i * stride} for each lane i: the input offsets of a vector of outputs, for {@link #switchesRow}. */
    static int[] laneOffsets(int stride) {
        int[] lanes = new int[Math.max(L, SI.length())];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = i * stride;
        }
        return lanes;
    }

    /**
     * Max-pooling switches of one output row for outputs [oxA, oxB), whose windows lie wholly
     * inside the image along x. Each window row is split by stride phase once, so tap kj of
     * consecutive outputs is one contiguous run; then for each vector of outputs every tap is
     * compared with the output, last to first, lanes that match taking that tap's index, so the
     * first match in row-major order is what remains. The index stays in a register across the
     * taps and is stored once. A vector with a NaN output is searched lane by lane (the first NaN
     * wins). Rows of the window are input rows kiLo..kiHi-1 (all inside the image). x and y not
     * modified; phases scratch of {@code kh * sw * len} floats (modified); lanes from
     * {@link #laneOffsets}; switches modified at [o + oxA, o + returned). The last vector may
     * overlap the one before it (it rewrites the same switches), so no output is left to a scalar
     * tail.
     *
     * @return oxB, or oxA when the range is shorter than a vector
     */
    static int switchesRow(float[] x, int xPlane, Window2d g, int y0, int kiLo, int kiHi, float[] phases, int len,
            int[] lanes, float[] y, int[] switches, int o, int oxA, int oxB) {
        int sw = g.sw();
        int kw = g.kw();
        if (oxB - oxA < L || SI.length() != L) {
            return oxA;
        }
        for (int ki = kiLo; ki < kiHi; ki++) {
            int rowStart = xPlane + (y0 + ki * g.dh()) * g.w();
            int rowBase = (ki - kiLo) * sw * len;
            Pooling.splitByPhases(x, rowStart, g, phases, rowBase, len);
        }
        IntVector laneOffsets = IntVector.fromArray(SI, lanes, 0);
        IntVector none = IntVector.broadcast(SI, -1);
        for (int next = oxA; next < oxB; next += L) {
            int ox = Math.min(next, oxB - L);
            FloatVector t = FloatVector.fromArray(S, y, o + ox);
            if (t.compare(VectorOperators.NE, t).anyTrue()) {
                for (int i = 0; i < L; i++) {
                    switches[o + ox + i] = Pooling.firstMatch(x, xPlane, g, y0, kiLo, kiHi, 0, kw, ox + i, y[o + ox + i]);
                }
                continue;
            }
            IntVector index = none;
            for (int ki = kiHi - 1; ki >= kiLo; ki--) {
                int rowStart = xPlane + (y0 + ki * g.dh()) * g.w();
                int rowBase = (ki - kiLo) * sw * len;
                for (int kj = kw - 1; kj >= 0; kj--) {
                    int off = kj * g.dw();
                    FloatVector v = FloatVector.fromArray(S, phases, rowBase + (off % sw) * len + off / sw + ox);
                    VectorMask<Integer> hit = v.compare(VectorOperators.EQ, t).cast(SI);
                    index = index.blend(laneOffsets.add(rowStart - g.padLeft() + off + ox * sw), hit);
                }
            }
            index.intoArray(switches, o + ox);
        }
        return oxB;
    }

    /**
     * {@code dst[d + q] = src[s + 2q]} for q in [0, n), n at least one vector: whole vectors of
     * deinterleaved pairs, the last one overlapping its neighbour. Reads src up to {@code s + 2n}
     * (exclusive), one float past the last one copied. src not modified; dst modified.
     */
    static void gatherEven(float[] src, int s, float[] dst, int d, int n) {
        for (int q = 0; ; q += L) {
            if (q > n - L) {
                q = n - L;
            }
            FloatVector a = FloatVector.fromArray(S, src, s + 2 * q);
            FloatVector b = FloatVector.fromArray(S, src, s + 2 * q + L);
            a.rearrange(EVEN, b).intoArray(dst, d + q);
            if (q == n - L) {
                return;
            }
        }
    }

    /**
     * {@code even[e + t] = src[s + 2t]} and {@code odd[d + t] = src[s + 2t + 1]} for t in [0, n),
     * two shuffles per 2L floats; when n is not a multiple of L, the last vector overlaps the one
     * before it (rewriting the same values), so no pair is left to a scalar loop. With n below
     * L nothing is split. Reads src only within [s, s + 2n). src not modified; dst modified (dst
     * must not overlap src).
     *
     * @return how many pairs were split: n, or 0 when n is below L (the caller does the rest)
     */
    static int deinterleave(float[] src, int s, float[] dst, int e, int d, int n) {
        if (n < L) {
            return 0;
        }
        for (int t = 0; ; t += L) {
            if (t > n - L) {
                // The scalar rest of the row's split was a fifth of max pooling's switches.
                t = n - L;
            }
            FloatVector a = FloatVector.fromArray(S, src, s + 2 * t);
            FloatVector b = FloatVector.fromArray(S, src, s + 2 * t + L);
            a.rearrange(EVEN, b).intoArray(dst, e + t);
            a.rearrange(ODD, b).intoArray(dst, d + t);
            if (t == n - L) {
                return n;
            }
        }
    }
}
