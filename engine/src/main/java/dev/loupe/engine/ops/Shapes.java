package dev.loupe.engine.ops;

import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import java.util.Arrays;

/**
 * Shape arithmetic shared by the tensor ops: reading integer inputs (shapes, axes, indices are
 * float32 tensors in this engine), normalising axes, numpy broadcasting and its reverse (summing a
 * gradient back to an operand's shape).
 */
final class Shapes {
    private Shapes() {
    }

    /**
     * The values of an integer-valued tensor as ints. Casting saturates, so INT64 extremes such as
     * 9223372036854775807 (Slice "to the end") become {@link Integer#MAX_VALUE}.
     */
    static int[] ints(Tensor t) {
        float[] d = t.data();
        int[] r = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            if (Float.isNaN(d[i])) {
                throw new IllegalArgumentException("NaN where an integer (shape, axis or index) was expected");
            }
            r[i] = (int) d[i];
        }
        return r;
    }

    /** An axis in [-rank, rank) as a non-negative index. */
    static int axis(int axis, int rank, String op) {
        if (axis < -rank || axis >= rank) {
            throw new ShapeMismatchException(op + ": axis " + axis + " is out of range for rank " + rank
                    + " (valid: " + (-rank) + ".." + (rank - 1) + ")");
        }
        return axis < 0 ? axis + rank : axis;
    }

    /** Normalised axes, rejecting duplicates. */
    static int[] axes(int[] axes, int rank, String op) {
        int[] r = new int[axes.length];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < axes.length; i++) {
            r[i] = axis(axes[i], rank, op);
            if (seen[r[i]]) {
                throw new IllegalArgumentException(op + ": axis " + axes[i] + " is repeated in " + Arrays.toString(axes));
            }
            seen[r[i]] = true;
        }
        return r;
    }

    static String str(int[] shape) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? "," : "").append(shape[i]);
        }
        return b.append(']').toString();
    }

    static int size(int[] shape) {
        long s = Tensor.sizeOf(shape);
        if (s > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor too large: " + str(shape));
        }
        return (int) s;
    }

    /** Row-major strides. */
    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** The numpy (multidirectional) broadcast of two shapes. */
    static int[] broadcast(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeMismatchException("cannot broadcast " + str(a) + " with " + str(b));
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides for reading an operand of shape {@code from} as if it had the (broadcast) shape
     * {@code to}: 0 along broadcast axes, right-aligned as numpy does.
     */
    static int[] broadcastStrides(int[] from, int[] to) {
        int[] own = strides(from);
        int[] s = new int[to.length];
        int lead = to.length - from.length;
        for (int i = 0; i < to.length; i++) {
            if (i >= lead) {
                int d = from[i - lead];
                if (d == to[i]) {
                    s[i] = own[i - lead];
                } else if (d != 1) {
                    throw new ShapeMismatchException("cannot broadcast " + str(from) + " to " + str(to));
                }
            }
        }
        return s;
    }

    /** {@code x} broadcast to {@code shape} (a copy, or x itself when the shapes are equal). */
    static Tensor expand(Tensor x, int[] shape) {
        if (x.hasShape(shape)) {
            return x;
        }
        float[] src = x.data();
        float[] out = new float[size(shape)];
        Strided it = Strided.of(shape, broadcastStrides(x.shape(), shape));
        int n = it.inner();
        int s = it.innerStride(0);
        for (int row = 0, p = 0; row < it.rows(); row++, p += n) {
            int o = it.offset(row, 0);
            if (s == 0) {
                Arrays.fill(out, p, p + n, src[o]);
            } else {
                for (int j = 0; j < n; j++) {
                    out[p + j] = src[o + j * s];
                }
            }
        }
        return new Tensor(shape, out);
    }

    /**
     * Sums {@code g} over the axes along which an operand of {@code shape} was broadcast to g's
     * shape: the backward of broadcasting. Returns g itself when nothing was broadcast.
     */
    static Tensor sumTo(Tensor g, int[] shape) {
        if (g.hasShape(shape)) {
            return g;
        }
        int[] gs = g.shape();
        if (shape.length > gs.length) {
            throw new ShapeMismatchException("cannot reduce a gradient of shape " + str(gs) + " to " + str(shape));
        }
        // Accumulate in double: broadcast axes can be long (a bias over a whole image).
        double[] acc = new double[size(shape)];
        float[] src = g.data();
        Strided it = Strided.of(gs, broadcastStrides(shape, gs));
        int n = it.inner();
        int s = it.innerStride(0);
        for (int row = 0, p = 0; row < it.rows(); row++, p += n) {
            int o = it.offset(row, 0);
            if (s == 0) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += src[p + j];
                }
                acc[o] += sum;
            } else {
                for (int j = 0; j < n; j++) {
                    acc[o + j * s] += src[p + j];
                }
            }
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) acc[i];
        }
        return new Tensor(shape, out);
    }

    /**
     * Reads {@code src} (shape {@code inShape}) through one index map per axis: output element
     * {@code (o_0, ..., o_k)} is {@code src[maps[0][o_0], ..., maps[k][o_k]]}, or {@code fill} when
     * any map entry is -1. Slice and Pad are both this.
     */
    static float[] gatherAxes(float[] src, int[] inShape, int[][] maps, float fill) {
        int rank = maps.length;
        int[] outShape = new int[rank];
        for (int d = 0; d < rank; d++) {
            outShape[d] = maps[d].length;
        }
        float[] dst = new float[size(outShape)];
        if (rank == 0) {
            dst[0] = src[0];
            return dst;
        }
        walkAxes(inShape, maps, (srcOff, lastMap, lastStride, p, valid) -> {
            if (!valid) {
                Arrays.fill(dst, p, p + lastMap.length, fill);
                return;
            }
            for (int j = 0; j < lastMap.length; j++) {
                int s = lastMap[j];
                dst[p + j] = s < 0 ? fill : src[srcOff + s];
            }
        });
        return dst;
    }

    /** The backward of {@link #gatherAxes}: adds each output gradient to the element it was read from. */
    static float[] scatterAxes(float[] g, int[] inShape, int[][] maps) {
        float[] dst = new float[size(inShape)];
        if (maps.length == 0) {
            dst[0] = g[0];
            return dst;
        }
        walkAxes(inShape, maps, (srcOff, lastMap, lastStride, p, valid) -> {
            if (valid) {
                for (int j = 0; j < lastMap.length; j++) {
                    int s = lastMap[j];
                    if (s >= 0) {
                        dst[srcOff + s] += g[p + j];
                    }
                }
            }
        });
        return dst;
    }

    private interface RowVisitor {
        void row(int srcOffset, int[] lastMap, int lastStride, int outOffset, boolean valid);
    }

    private static void walkAxes(int[] inShape, int[][] maps, RowVisitor v) {
        int rank = maps.length;
        int[] st = strides(inShape);
        int last = rank - 1;
        int n = maps[last].length;
        long rowsL = 1;
        for (int d = 0; d < last; d++) {
            rowsL *= maps[d].length;
        }
        if (n == 0 || rowsL == 0) {
            return;
        }
        int[] idx = new int[rank];
        for (int row = 0, p = 0; row < rowsL; row++, p += n) {
            int off = 0;
            boolean valid = true;
            for (int d = 0; d < last; d++) {
                int s = maps[d][idx[d]];
                valid &= s >= 0;
                off += s * st[d];
            }
            v.row(off, maps[last], 1, p, valid);
            for (int d = last - 1; d >= 0; d--) {
                if (++idx[d] < maps[d].length) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }
}
