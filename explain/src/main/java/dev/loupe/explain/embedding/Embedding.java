package dev.loupe.explain.embedding;

import dev.loupe.engine.Tensor;
import java.util.List;

/**
 * N points of D dimensions, row-major in {@code data}, with each point's label
 * ({@link dev.loupe.explain.data.Dataset#NO_LABEL} when unknown; {@code labels} is null when the
 * dataset has none), source and dataset index, and the layer they came from.
 */
public record Embedding(float[] data, int n, int d, int[] labels, List<String> sources, int[] indices, String layer,
        List<String> classNames) {
    public Embedding {
        if ((long) n * d != data.length) {
            throw new IllegalArgumentException(n + " x " + d + " points need " + (long) n * d + " values, got " + data.length);
        }
    }

    /** Bare points without labels or sources. */
    public static Embedding of(float[] data, int n, int d) {
        return new Embedding(data, n, d, null, List.of(), null, null, List.of());
    }

    /** As an {@code [N, D]} tensor (shares the data). */
    public Tensor tensor() {
        return new Tensor(new int[] {n, d}, data);
    }

    /** Point i, copied. */
    public float[] row(int i) {
        float[] r = new float[d];
        System.arraycopy(data, i * d, r, 0, d);
        return r;
    }
}
