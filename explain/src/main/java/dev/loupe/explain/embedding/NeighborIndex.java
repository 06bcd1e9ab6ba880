package dev.loupe.explain.embedding;

import java.util.List;

/**
 * k-nearest-neighbour search under the Euclidean (L2) distance. {@link ExactIndex} searches
 * exhaustively; an approximate index (HNSW, for example) can implement this for larger sets.
 */
public interface NeighborIndex {
    /** One neighbour: its row in the indexed set and its L2 distance to the query. */
    record Neighbor(int index, float distance) {
    }

    int size();

    int dimension();

    /** The k nearest points to {@code query}, nearest first (ties by index). */
    List<Neighbor> search(float[] query, int k);

    /** The k nearest points to each query (rows of {@code queries}, {@code count × dimension()}). */
    default List<List<Neighbor>> searchAll(float[] queries, int count, int k) {
        List<List<Neighbor>> out = new java.util.ArrayList<>();
        for (int q = 0; q < count; q++) {
            float[] row = new float[dimension()];
            System.arraycopy(queries, q * dimension(), row, 0, dimension());
            out.add(search(row, k));
        }
        return out;
    }
}
