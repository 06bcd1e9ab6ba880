package dev.loupe.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector loops of {@link Masks}; only loaded when {@code jdk.incubator.vector} is present. */
final class SimdMasks {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private SimdMasks() {
    }

    /** {@code y[i] = Math.max(x[i], 0)} for whole vectors in [from, to); returns where it stopped. */
    static int rectify(float[] x, float[] y, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector.fromArray(S, x, i).max(zero).intoArray(y, i);
        }
        return i;
    }

    /** {@code out[i] = y[i] > 0 ? g[i] : 0} for whole vectors in [from, to); returns where it stopped. */
    static int wherePositive(float[] y, float[] g, float[] out, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector yv = FloatVector.fromArray(S, y, i);
            zero.blend(FloatVector.fromArray(S, g, i), yv.compare(VectorOperators.GT, 0f)).intoArray(out, i);
        }
        return i;
    }

    /** {@code out[i] = y[i] > 0 && g[i] > 0 ? g[i] : 0} for whole vectors in [from, to); returns where it stopped. */
    static int positiveWherePositive(float[] y, float[] g, float[] out, int from, int to) {
        FloatVector zero = FloatVector.zero(S);
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, i);
            FloatVector yv = FloatVector.fromArray(S, y, i);
            zero.blend(gv, yv.compare(VectorOperators.GT, 0f).and(gv.compare(VectorOperators.GT, 0f))).intoArray(out, i);
        }
        return i;
    }
}
