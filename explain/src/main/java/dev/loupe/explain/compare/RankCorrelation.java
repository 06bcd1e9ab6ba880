package dev.loupe.explain.compare;

import dev.loupe.engine.Tensor;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Spearman rank correlation between two attribution maps: how similarly they order the pixels,
 * whatever their scales. Used to measure class discrimination: a method whose maps for two
 * different classes correlate near 1 (guided backpropagation) does not tell the classes apart;
 * Grad-CAM's maps should correlate much less.
 */
public final class RankCorrelation {
    private RankCorrelation() {
    }

    /** Spearman's ρ of the two maps' values (Pearson correlation of their ranks, ties sharing the mean rank). */
    public static double spearman(Tensor a, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("maps differ in size: " + Tensor.shapeString(a.shape()) + " vs "
                    + Tensor.shapeString(b.shape()));
        }
        if (a.size() < 2) {
            throw new IllegalArgumentException("need at least two values to correlate");
        }
        return pearson(ranks(a.data()), ranks(b.data()));
    }

    /** Ranks 1..n, ties get the average of the ranks they span. */
    static double[] ranks(float[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
        double[] r = new double[v.length];
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[order[k]] = rank;
            }
            i = j + 1;
        }
        return r;
    }

    static double pearson(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx == 0 || syy == 0) {
            return Double.NaN;
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
