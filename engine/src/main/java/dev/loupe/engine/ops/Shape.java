package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * Outputs x's dimensions as a 1-D float tensor, optionally only {@code dims[start:end]} (opset 15;
 * negative values count from the end, out-of-range values are clamped). The output does not depend
 * on x's values, so there is no gradient.
 */
public final class Shape implements Op {
    private final int start;
    private final Integer end;

    /** @param end exclusive end, or null for "to the rank" */
    public Shape(int start, Integer end) {
        this.start = start;
        this.end = end;
    }

    public Shape() {
        this(0, null);
    }

    @Override
    public String type() {
        return "Shape";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return false;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        int[] s = inputs[0].shape();
        int r = s.length;
        int from = clamp(start, r);
        int to = end == null ? r : clamp(end, r);
        int n = Math.max(0, to - from);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = s[from + i];
        }
        return new Tensor[] {Tensor.of(d, n)};
    }

    private static int clamp(int v, int rank) {
        return Math.max(0, Math.min(rank, v < 0 ? v + rank : v));
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        return new Tensor[needInputGrad.length];
    }
}
