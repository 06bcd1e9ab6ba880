package dev.loupe.engine.kernels;

import dev.loupe.engine.ShapeMismatchException;

/**
 * The geometry of a 2-D sliding window (convolution or pooling) over one H x W plane: kernel,
 * strides, dilations, the four pads and the resulting output size. Pads are already resolved
 * (auto_pad applied); {@code oh}/{@code ow} already reflect ceil mode.
 */
public record Window2d(int h, int w, int kh, int kw, int sh, int sw, int dh, int dw,
        int padTop, int padLeft, int padBottom, int padRight, int oh, int ow) {

    public Window2d {
        if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1) {
            throw new IllegalArgumentException("kernel, strides and dilations must be positive: kernel " + kh + "x" + kw
                    + ", strides " + sh + "x" + sw + ", dilations " + dh + "x" + dw);
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("negative pads [" + padTop + ", " + padLeft + ", " + padBottom + ", " + padRight + "]");
        }
    }

    /** Geometry with explicit pads; the output size follows from them (floor, or ceil for pooling's ceil_mode). */
    public static Window2d of(int h, int w, int kh, int kw, int sh, int sw, int dh, int dw,
            int padTop, int padLeft, int padBottom, int padRight, boolean ceilMode) {
        int oh = outputSize(h, kh, sh, dh, padTop, padBottom, ceilMode);
        int ow = outputSize(w, kw, sw, dw, padLeft, padRight, ceilMode);
        return new Window2d(h, w, kh, kw, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight, oh, ow);
    }

    /**
     * The output length along one axis. In ceil mode a last window that would start in the end
     * padding (or beyond) is dropped, as PyTorch does, so every window overlaps the input or the
     * begin padding.
     *
     * @throws ShapeMismatchException when the dilated kernel is larger than the padded input
     */
    public static int outputSize(int in, int kernel, int stride, int dilation, int padBegin, int padEnd, boolean ceilMode) {
        int span = in + padBegin + padEnd - ((kernel - 1) * dilation + 1);
        if (span < 0) {
            throw new ShapeMismatchException("a kernel of " + kernel + " (dilation " + dilation + ") does not fit an input of "
                    + in + " with pads " + padBegin + "+" + padEnd);
        }
        if (!ceilMode) {
            return span / stride + 1;
        }
        int out = (span + stride - 1) / stride + 1;
        if ((out - 1) * stride >= in + padBegin) {
            out--;
        }
        return out;
    }

    /** Output pixels per plane. */
    public int outPlane() {
        return oh * ow;
    }

    /** Input pixels per plane. */
    public int inPlane() {
        return h * w;
    }

    /** True when the window is the identity on pixels (1x1, stride 1, no pads), so im2col can be skipped. */
    public boolean isPointwise() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0;
    }

    /** First output column {@code ox} whose input column {@code ox*sw - padLeft + offset} is >= 0. */
    int firstValidX(int offset) {
        return clamp(ceilDiv(padLeft - offset, sw), ow);
    }

    /** One past the last output column whose input column {@code ox*sw - padLeft + offset} is < w. */
    int endValidX(int offset) {
        return clamp(Math.floorDiv(w - 1 + padLeft - offset, sw) + 1, ow);
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    private static int clamp(int v, int hi) {
        return Math.max(0, Math.min(hi, v));
    }
}
