package dev.loupe.engine.ops;

/**
 * A loop over a dense output of some shape that reads one or more operands through arbitrary
 * strides (0 for broadcast axes, permuted for transposes). Axes of size 1 are dropped and adjacent
 * axes that are contiguous for every operand are merged, so an equal-shape or scalar operation is
 * one flat row and a per-channel operation ([N,C,H,W] with [C,1,1]) is N*C rows of H*W elements
 * with a constant second operand: the loops below specialise on the inner strides.
 */
final class Strided {
    private final int[] dims;
    private final int[][] strides;
    private final int rows;

    private Strided(int[] dims, int[][] strides) {
        this.dims = dims;
        this.strides = strides;
        int r = 1;
        for (int i = 0; i < dims.length - 1; i++) {
            r *= dims[i];
        }
        this.rows = dims[dims.length - 1] == 0 ? 0 : r;
    }

    static Strided of(int[] shape, int[]... operandStrides) {
        int k = operandStrides.length;
        int[] d = new int[shape.length + 1];
        int[][] s = new int[k][shape.length + 1];
        int rank = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) {
                continue;
            }
            if (shape[i] == 0) {
                return new Strided(new int[] {0}, new int[k][1]);
            }
            boolean merge = rank > 0;
            for (int o = 0; o < k && merge; o++) {
                merge = s[o][rank - 1] == operandStrides[o][i] * shape[i];
            }
            if (merge) {
                d[rank - 1] *= shape[i];
                for (int o = 0; o < k; o++) {
                    s[o][rank - 1] = operandStrides[o][i];
                }
            } else {
                d[rank] = shape[i];
                for (int o = 0; o < k; o++) {
                    s[o][rank] = operandStrides[o][i];
                }
                rank++;
            }
        }
        if (rank == 0) {
            return new Strided(new int[] {1}, new int[k][1]);
        }
        int[] dims = java.util.Arrays.copyOf(d, rank);
        int[][] st = new int[k][];
        for (int o = 0; o < k; o++) {
            st[o] = java.util.Arrays.copyOf(s[o], rank);
        }
        return new Strided(dims, st);
    }

    /** Number of rows (products of all but the innermost merged axis). */
    int rows() {
        return rows;
    }

    /** Length of the innermost merged axis. */
    int inner() {
        return dims[dims.length - 1];
    }

    int innerStride(int operand) {
        return strides[operand][dims.length - 1];
    }

    /** Offset of the start of {@code row} in {@code operand}. */
    int offset(int row, int operand) {
        int[] s = strides[operand];
        int off = 0;
        for (int i = dims.length - 2; i >= 0; i--) {
            int q = row / dims[i];
            off += (row - q * dims[i]) * s[i];
            row = q;
        }
        return off;
    }
}
