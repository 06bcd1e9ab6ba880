package dev.loupe.explain.data;

import dev.loupe.engine.Tensor;

/**
 * Consecutive readable items of a dataset stacked into one {@code [B, C, H, W]} tensor (after the
 * transform), with each row's dataset index, label ({@link Dataset#NO_LABEL} when none) and source.
 */
public record Batch(Tensor images, int[] indices, int[] labels, String[] sources) {
    public int size() {
        return indices.length;
    }
}
