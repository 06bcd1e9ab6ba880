package dev.loupe.explain.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NeighborsTest {
    static float[] random(int n, int d, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    static double dist(float[] a, int ai, float[] b, int bi, int d) {
        double s = 0;
        for (int t = 0; t < d; t++) {
            double diff = a[ai * d + t] - b[bi * d + t];
            s += diff * diff;
        }
        return Math.sqrt(s);
    }

    @Test
    void exactIndexEqualsBruteForce() {
        int n = 300;
        int d = 12;
        float[] data = random(n, d, 1);
        float[] queries = random(25, d, 2);
        ExactIndex index = new ExactIndex(data, n, d);
        List<List<NeighborIndex.Neighbor>> got = index.searchAll(queries, 25, 7);
        for (int q = 0; q < 25; q++) {
            final int qq = q;
            int[] expected = IntStream.range(0, n).boxed().sorted(Comparator.comparingDouble(j -> dist(data, j, queries, qq, d)))
                    .limit(7).mapToInt(Integer::intValue).toArray();
            int[] actual = got.get(q).stream().mapToInt(NeighborIndex.Neighbor::index).toArray();
            assertArrayEquals(expected, actual, "query " + q);
            for (int m = 0; m < 7; m++) {
                assertEquals(dist(data, expected[m], queries, q, d), got.get(q).get(m).distance(), 1e-4);
            }
        }
    }

    @Test
    void allPairsKnnByGemmAgreesWithExactSearch() {
        int n = 400;
        int d = 20;
        float[] data = random(n, d, 3);
        int k = 10;
        int[] idx = new int[n * k];
        double[] dist = new double[n * k];
        Distances.allKnn(data, n, d, k, idx, dist);
        int[] idx2 = new int[n * k];
        double[] dist2 = new double[n * k];
        ExactIndex.allKnn(data, n, d, k, idx2, dist2);
        assertArrayEquals(idx2, idx);
        for (int i = 0; i < dist.length; i++) {
            assertEquals(dist2[i], dist[i], 1e-3 * (1 + dist2[i]));
        }
    }
}
