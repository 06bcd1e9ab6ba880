package dev.loupe.engine;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major (C) order; image tensors are NCHW.
 *
 * <p>The data array is exposed on purpose: kernels work on {@code float[]} directly. A tensor
 * handed out by the executor must be treated as read-only by callers; copy it before changing it.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    /** Wraps {@code data} (not copied) with the given shape. */
    public Tensor(int[] shape, float[] data) {
        long size = sizeOf(shape);
        if (size != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size
                    + " values but the data has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(int... shape) {
        long size = sizeOf(shape);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        return new Tensor(shape, new float[(int) size]);
    }

    public static Tensor of(float[] data, int... shape) {
        return new Tensor(shape, data);
    }

    /** A rank-0 tensor holding one value. */
    public static Tensor scalar(float value) {
        return new Tensor(new int[0], new float[] {value});
    }

    public static long sizeOf(int[] shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            size *= d;
        }
        return size;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis < 0 ? axis + shape.length : axis];
    }

    public int size() {
        return data.length;
    }

    /** The backing array, not copied. */
    public float[] data() {
        return data;
    }

    public float get(int... index) {
        return data[offset(index)];
    }

    public void set(float value, int... index) {
        data[offset(index)] = value;
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for shape " + Arrays.toString(shape));
        }
        int off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + Arrays.toString(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    /** A view with another shape over the same data. */
    public Tensor reshape(int... newShape) {
        return new Tensor(newShape, data);
    }

    public Tensor copy() {
        return new Tensor(shape, data.clone());
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    public boolean hasShape(int... s) {
        return Arrays.equals(shape, s);
    }

    /** Items {@code [start, start+count)} along axis 0, copied. */
    public Tensor slice0(int start, int count) {
        int[] s = shape.clone();
        int inner = data.length / Math.max(1, shape[0]);
        s[0] = count;
        float[] d = new float[count * inner];
        System.arraycopy(data, start * inner, d, 0, d.length);
        return new Tensor(s, d);
    }

    public static String shapeString(int[] shape) {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
