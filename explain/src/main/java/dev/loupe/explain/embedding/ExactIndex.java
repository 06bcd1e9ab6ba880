package dev.loupe.explain.embedding;

import dev.loupe.engine.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Exhaustive L2 search: exact, O(N·D) per query, queries in parallel. The points are not copied. */
public final class ExactIndex implements NeighborIndex {
    private final float[] data;
    private final int n;
    private final int d;

    public ExactIndex(float[] data, int n, int d) {
        if ((long) n * d != data.length) {
            throw new IllegalArgumentException(n + " x " + d + " points need " + (long) n * d + " values, got " + data.length);
        }
        this.data = data;
        this.n = n;
        this.d = d;
    }

    public ExactIndex(Embedding e) {
        this(e.data(), e.n(), e.d());
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public int dimension() {
        return d;
    }

    @Override
    public List<Neighbor> search(float[] query, int k) {
        if (query.length != d) {
            throw new IllegalArgumentException("a query of " + query.length + " dimensions for points of " + d);
        }
        int kk = Math.min(k, n);
        int[] idx = new int[kk];
        double[] dist = new double[kk];
        topK(data, n, d, query, 0, -1, kk, idx, dist);
        List<Neighbor> out = new ArrayList<>(kk);
        for (int i = 0; i < kk; i++) {
            out.add(new Neighbor(idx[i], (float) Math.sqrt(dist[i])));
        }
        return out;
    }

    @Override
    public List<List<Neighbor>> searchAll(float[] queries, int count, int k) {
        List<List<Neighbor>> out = new ArrayList<>(java.util.Collections.nCopies(count, null));
        Parallel.forRange(count, 4, (from, to) -> {
            for (int q = from; q < to; q++) {
                out.set(q, search(Arrays.copyOfRange(queries, q * d, (q + 1) * d), k));
            }
        });
        return out;
    }

    /**
     * The k nearest other points of every point of a set (itself excluded): {@code idx} and squared
     * distances {@code dist2}, each {@code n × k}, nearest first. Parallel over points.
     */
    public static void allKnn(float[] data, int n, int d, int k, int[] idx, double[] dist2) {
        if (k > n - 1) {
            throw new IllegalArgumentException(k + " neighbours asked of a set of " + n + " points");
        }
        Parallel.forRange(n, 16, (from, to) -> {
            int[] ti = new int[k];
            double[] td = new double[k];
            for (int i = from; i < to; i++) {
                topK(data, n, d, data, i * d, i, k, ti, td);
                System.arraycopy(ti, 0, idx, i * k, k);
                System.arraycopy(td, 0, dist2, i * k, k);
            }
        });
    }

    /** Sorted k smallest squared distances from {@code q[qOff..qOff+d)} to the rows of data, skipping row {@code self}. */
    static void topK(float[] data, int n, int d, float[] q, int qOff, int self, int k, int[] idx, double[] dist) {
        int filled = 0;
        double worst = Double.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (j == self) {
                continue;
            }
            int off = j * d;
            float s = 0f;
            for (int t = 0; t < d; t++) {
                float diff = data[off + t] - q[qOff + t];
                s += diff * diff;
            }
            if (filled < k) {
                insert(idx, dist, filled++, j, s);
                worst = dist[filled - 1];
            } else if (s < worst) {
                insert(idx, dist, k - 1, j, s);
                worst = dist[k - 1];
            }
        }
    }

    /** Inserts (j, s) into the sorted prefix of length {@code last + 1}, dropping the element at {@code last}. */
    private static void insert(int[] idx, double[] dist, int last, int j, double s) {
        int p = last;
        while (p > 0 && dist[p - 1] > s) {
            dist[p] = dist[p - 1];
            idx[p] = idx[p - 1];
            p--;
        }
        dist[p] = s;
        idx[p] = j;
    }
}
