package dev.loupe.render;

import java.util.Arrays;

/**
 * Scales a map to [0, 1] for a colour map.
 *
 * <p>Unsigned: values are taken as |v| and divided by a high value, by default the 99th
 * percentile of |v| so that a few extreme pixels do not wash out the rest. Signed: v is divided
 * by the same percentile of |v| and mapped from [-1, 1] to [0, 1], so zero lands on 0.5 (white in
 * the diverging map). An explicit range {@code [lo, hi]} maps lo to 0 and hi to 1 for every
 * map, which is what comparing maps across images or methods needs.
 *
 * @param signed keep the sign (centre zero) instead of taking |v|
 * @param percentile the percentile of |v| that maps to full scale, in (0, 100]
 * @param lo explicit lower bound, or NaN to use the percentile
 * @param hi explicit upper bound, or NaN to use the percentile
 */
public record Normalization(boolean signed, double percentile, double lo, double hi) {
    public Normalization {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + percentile);
        }
        if (!Double.isNaN(lo) && !(hi > lo)) {
            throw new IllegalArgumentException("range needs lo < hi, got " + lo + "," + hi);
        }
    }

    public static Normalization percentile(boolean signed, double percentile) {
        return new Normalization(signed, percentile, Double.NaN, Double.NaN);
    }

    public static Normalization range(boolean signed, double lo, double hi) {
        return new Normalization(signed, 99, lo, hi);
    }

    public boolean explicit() {
        return !Double.isNaN(lo);
    }

    /** The map scaled to [0, 1]. */
    public float[] apply(Heatmap map) {
        float[] v = map.values();
        float[] out = new float[v.length];
        if (explicit()) {
            double span = hi - lo;
            for (int i = 0; i < v.length; i++) {
                double x = signed ? v[i] : Math.abs(v[i]);
                out[i] = (float) clamp01((x - lo) / span);
            }
            return out;
        }
        double scale = scaleOf(v);
        for (int i = 0; i < v.length; i++) {
            if (scale <= 0) {
                out[i] = signed ? 0.5f : 0f;
            } else if (signed) {
                out[i] = (float) clamp01((v[i] / scale + 1) / 2);
            } else {
                out[i] = (float) clamp01(Math.abs(v[i]) / scale);
            }
        }
        return out;
    }

    /** The value that maps to full scale: the percentile of |v| (or the explicit hi). */
    public double scaleOf(float[] v) {
        if (explicit()) {
            return hi;
        }
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = Float.isNaN(v[i]) ? 0 : Math.abs(v[i]);
        }
        return percentileOf(a, percentile);
    }

    /** The p-th percentile with linear interpolation between order statistics (NumPy's default). */
    public static double percentileOf(double[] values, double p) {
        if (values.length == 0) {
            return 0;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = p / 100.0 * (s.length - 1);
        int i = (int) Math.floor(pos);
        if (i >= s.length - 1) {
            return s[s.length - 1];
        }
        double t = pos - i;
        return s[i] * (1 - t) + s[i + 1] * t;
    }

    private static double clamp01(double x) {
        return x < 0 ? 0 : (x > 1 ? 1 : x);
    }
}
