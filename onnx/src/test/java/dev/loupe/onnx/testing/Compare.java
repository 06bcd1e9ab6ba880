package dev.loupe.onnx.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.loupe.engine.Tensor;

/** Element-wise closeness: |a - e| <= atol + rtol * |e|, with atol a fraction of max|e|. */
public final class Compare {
    private Compare() {
    }

    /**
     * Asserts closeness and returns the largest absolute difference.
     *
     * @param atolFraction atol as a fraction of the reference's largest magnitude
     */
    public static double assertClose(String what, Tensor expected, Tensor actual, double rtol, double atolFraction) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.data();
        float[] a = actual.data();
        double maxRef = 0;
        for (float v : e) {
            maxRef = Math.max(maxRef, Math.abs(v));
        }
        double atol = atolFraction * maxRef;
        double maxErr = 0;
        int worst = -1;
        int bad = 0;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs((double) a[i] - e[i]);
            if (!(d <= atol + rtol * Math.abs(e[i]))) {
                bad++;
                if (worst < 0 || d > Math.abs((double) a[worst] - e[worst])) {
                    worst = i;
                }
            }
            if (d > maxErr || Double.isNaN(d)) {
                maxErr = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + e.length + " values differ beyond rtol " + rtol + " + atol " + atol
                    + "; worst at flat index " + worst + ": expected " + e[worst] + ", got " + a[worst] + " (max |ref| " + maxRef + ")");
        }
        return maxErr;
    }

    public static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.data()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
