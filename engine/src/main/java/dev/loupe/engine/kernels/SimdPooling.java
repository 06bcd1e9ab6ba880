package dev.loupe.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector loops of {@link Pooling}; only loaded when {@code jdk.incubator.vector} is present. */
final class SimdPooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private SimdPooling() {
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
     * Max-pooling switches of one output row for outputs [oxA, oxA + k*L) whose windows lie
     * wholly inside the image along x: for every tap, last to first, lanes whose input equals the
     * output (or both are NaN) take that tap's index, so the first match in row-major order is
     * what remains. Rows of the window are input rows kiLo..kiHi-1 (all inside the image). x and
     * y not modified; phases scratch (modified); lanes from {@link #laneOffsets}; switches modified
     * at [o + oxA, o + returned).
     *
     * @return one past the last output handled (a multiple of the vector length from oxA)
     */
    static int switchesRow(float[] x, int xPlane, Window2d g, int y0, int kiLo, int kiHi, float[] phases, int len,
            int[] lanes, float[] y, int[] switches, int o, int oxA, int oxB) {
        int sw = g.sw();
        int end = oxA + (oxB - oxA) / L * L;
        if (end == oxA || SI.length() != L) {
            return oxA;
        }
        IntVector laneOffsets = IntVector.fromArray(SI, lanes, 0);
        IntVector none = IntVector.broadcast(SI, -1);
        for (int ox = oxA; ox < end; ox += L) {
            none.intoArray(switches, o + ox);
        }
        for (int ki = kiHi - 1; ki >= kiLo; ki--) {
            int rowStart = xPlane + (y0 + ki * g.dh()) * g.w();
            for (int r = 0; r < sw; r++) {
                int base = r * len;
                for (int t = 0; t < len; t++) {
                    int col = t * sw + r - g.padLeft();
                    phases[base + t] = col >= 0 && col < g.w() ? x[rowStart + col] : Float.NEGATIVE_INFINITY;
                }
            }
            for (int kj = g.kw() - 1; kj >= 0; kj--) {
                int off = kj * g.dw();
                int src = (off % sw) * len + off / sw;
                int first = rowStart - g.padLeft() + off;
                for (int ox = oxA; ox < end; ox += L) {
                    FloatVector v = FloatVector.fromArray(S, phases, src + ox);
                    FloatVector t = FloatVector.fromArray(S, y, o + ox);
                    VectorMask<Float> hit = v.compare(VectorOperators.EQ, t)
                            .or(t.test(VectorOperators.IS_NAN).and(v.test(VectorOperators.IS_NAN)));
                    IntVector index = laneOffsets.add(first + ox * sw);
                    IntVector.fromArray(SI, switches, o + ox).blend(index, hit.cast(SI)).intoArray(switches, o + ox);
                }
            }
        }
        return end;
    }
}
