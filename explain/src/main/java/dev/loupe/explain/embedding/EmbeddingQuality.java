package dev.loupe.explain.embedding;

import dev.loupe.engine.Parallel;
import java.util.concurrent.atomic.DoubleAdder;

/** How faithful a low-dimensional map is to the data it was made from. */
public final class EmbeddingQuality {
    private EmbeddingQuality() {
    }

    /**
     * Trustworthiness (Venna &amp; Kaski 2001; scikit-learn's definition): 1 minus a penalty for every
     * point among a point's k nearest in the map that is not among its k nearest in the input,
     * weighted by how far down the input ranking it is. 1 when every map neighbourhood is a true
     * one; about 0.5 for a random map. Exact, O(N²·D), parallel.
     *
     * @param high n × dh input rows
     * @param low  n × dl map rows
     */
    public static double trustworthiness(float[] high, int dh, float[] low, int dl, int n, int k) {
        if (k >= n / 2.0) {
            throw new IllegalArgumentException("trustworthiness needs k < n/2, got k = " + k + " for n = " + n);
        }
        int[] lowIdx = new int[n * k];
        double[] lowDist = new double[n * k];
        Distances.allKnn(low, n, dl, k, lowIdx, lowDist);
        DoubleAdder penalty = new DoubleAdder();
        Distances.forEachRow(high, n, dh, (i, dist, off) -> {
            // Rank of j in i's input ordering (1 = nearest, self excluded); ties broken by index.
            double[] kth = new double[k];
            int[] near = new int[k];
            int filled = 0;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                float s = dist[off + j];
                if (filled < k || s < kth[filled - 1] || (s == kth[filled - 1] && j < near[filled - 1])) {
                    int pos = filled < k ? filled++ : k - 1;
                    while (pos > 0 && (kth[pos - 1] > s || (kth[pos - 1] == s && near[pos - 1] > j))) {
                        kth[pos] = kth[pos - 1];
                        near[pos] = near[pos - 1];
                        pos--;
                    }
                    kth[pos] = s;
                    near[pos] = j;
                }
            }
            double local = 0;
            for (int m = 0; m < k; m++) {
                int j = lowIdx[i * k + m];
                boolean inHigh = false;
                for (int t = 0; t < k; t++) {
                    inHigh |= near[t] == j;
                }
                if (inHigh) {
                    continue;
                }
                float dj = dist[off + j];
                int rank = 1;
                for (int t = 0; t < n; t++) {
                    if (t != i && t != j && (dist[off + t] < dj || (dist[off + t] == dj && t < j))) {
                        rank++;
                    }
                }
                local += rank - k;
            }
            penalty.add(local);
        });
        return 1 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1)) * penalty.sum();
    }

    /**
     * Leave-one-out k-nearest-neighbour classification accuracy of {@code labels} in a map of
     * {@code n × d} rows: the fraction of points whose k nearest others vote (majority, ties to the
     * nearest voter's class) for their own label.
     */
    public static double knnAccuracy(float[] points, int d, int n, int[] labels, int k) {
        int[] idx = new int[n * k];
        double[] dist = new double[n * k];
        Distances.allKnn(points, n, d, k, idx, dist);
        int maxLabel = 0;
        for (int v : labels) {
            maxLabel = Math.max(maxLabel, v);
        }
        int classes = maxLabel + 1;
        int[] correct = new int[n];
        Parallel.forRange(n, 256, (from, to) -> {
            int[] votes = new int[classes];
            for (int i = from; i < to; i++) {
                java.util.Arrays.fill(votes, 0);
                int best = Math.max(0, labels[idx[i * k]]);
                for (int m = 0; m < k; m++) {
                    int c = labels[idx[i * k + m]];
                    if (c >= 0) {
                        votes[c]++;
                    }
                }
                for (int c = 0; c < classes; c++) {
                    if (votes[c] > votes[best]) {
                        best = c;
                    }
                }
                correct[i] = best == labels[i] ? 1 : 0;
            }
        });
        int sum = 0;
        for (int c : correct) {
            sum += c;
        }
        return (double) sum / n;
    }
}
