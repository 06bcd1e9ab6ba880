package dev.loupe.engine.kernels;

import dev.loupe.engine.Parallel;

/**
 * ReLU's element-wise kernels: the rectifier itself ({@link #rectify}) and the gates of ReLU
 * backward passes, {@code out[i] = g[i]} where a condition holds, else 0. Written as a branch, the condition on random-signed data mispredicts about half the
 * time (about 3 ms for one 64x112x112 activation); these run as vector masks when the Vector API
 * is present and as branch-free scalar code otherwise. NaN fails every condition (its element
 * becomes 0) in the gates. Parallel over chunks; inputs not modified; out modified.
 */
public final class Masks {
    /** Elements per parallel chunk: below this a split costs more than it saves. */
    private static final int GRAIN = 1 << 16;

    private Masks() {
    }

    /**
     * {@code y[i] = Math.max(x[i], 0)}: ReLU itself (x and y may be the same array). C2 leaves a
     * {@code Math.max} loop scalar; the Vector API's lanewise max is {@code Math.max} (NaN stays
     * NaN, -0 becomes +0). x not modified unless it is y; y modified.
     */
    public static void rectify(float[] x, float[] y) {
        Parallel.forRange(y.length, GRAIN, (from, to) -> {
            int i = Gemm.SIMD ? SimdMasks.rectify(x, y, from, to) : from;
            for (; i < to; i++) {
                y[i] = Math.max(x[i], 0f);
            }
        });
    }

    /** {@code out[i] = y[i] > 0 ? g[i] : 0}: the ReLU gradient, given the ReLU's output y. */
    public static void wherePositive(float[] y, float[] g, float[] out) {
        Parallel.forRange(out.length, GRAIN, (from, to) -> {
            int i = Gemm.SIMD ? SimdMasks.wherePositive(y, g, out, from, to) : from;
            for (; i < to; i++) {
                out[i] = y[i] > 0f ? g[i] : 0f;
            }
        });
    }

    /** {@code out[i] = g[i] > 0 ? g[i] : 0}: DeconvNet's ReLU, positive gradients only. */
    public static void positive(float[] g, float[] out) {
        Parallel.forRange(out.length, GRAIN, (from, to) -> {
            int i = Gemm.SIMD ? SimdMasks.wherePositive(g, g, out, from, to) : from;
            for (; i < to; i++) {
                out[i] = g[i] > 0f ? g[i] : 0f;
            }
        });
    }

    /** {@code out[i] = y[i] > 0 && g[i] > 0 ? g[i] : 0}: guided backpropagation's ReLU. */
    public static void positiveWherePositive(float[] y, float[] g, float[] out) {
        Parallel.forRange(out.length, GRAIN, (from, to) -> {
            int i = Gemm.SIMD ? SimdMasks.positiveWherePositive(y, g, out, from, to) : from;
            for (; i < to; i++) {
                out[i] = y[i] > 0f && g[i] > 0f ? g[i] : 0f;
            }
        });
    }
}
