package dev.loupe.engine.ops;

import dev.loupe.engine.kernels.Window2d;
import java.util.Arrays;

/**
 * The sliding-window attributes shared by Conv and the pooling ops, for 2-D windows: kernel
 * shape (null for Conv, which then takes it from the weights), strides, pads in ONNX order
 * {@code [top, left, bottom, right]}, dilations, auto_pad and ceil mode.
 */
public record WindowAttrs(int[] kernelShape, int[] strides, int[] pads, int[] dilations, AutoPad autoPad, boolean ceilMode) {

    public WindowAttrs {
        kernelShape = kernelShape == null ? null : kernelShape.clone();
        strides = strides.clone();
        pads = pads.clone();
        dilations = dilations.clone();
    }

    /** Explicit pads, no dilation, floor mode. */
    public static WindowAttrs of(int[] kernelShape, int[] strides, int[] pads) {
        return new WindowAttrs(kernelShape, strides, pads, new int[] {1, 1}, AutoPad.NOTSET, false);
    }

    public WindowAttrs withDilations(int... d) {
        return new WindowAttrs(kernelShape, strides, pads, d, autoPad, ceilMode);
    }

    public WindowAttrs withAutoPad(AutoPad a) {
        return new WindowAttrs(kernelShape, strides, pads, dilations, a, ceilMode);
    }

    public WindowAttrs withCeilMode(boolean c) {
        return new WindowAttrs(kernelShape, strides, pads, dilations, autoPad, c);
    }

    /**
     * Reads the attributes of a 2-D windowed op; defaults as ONNX (strides and dilations 1, pads 0).
     *
     * @throws UnsupportedOpException for windows that are not 2-D
     */
    static WindowAttrs from(String op, Attributes a, boolean kernelRequired) {
        int[] k = a.getInts("kernel_shape", null);
        if (k == null && kernelRequired) {
            throw new UnsupportedOpException(op + " needs the kernel_shape attribute");
        }
        if (k != null) {
            require2d(op, "kernel_shape", k, 2);
        }
        int[] s = require2d(op, "strides", a.getInts("strides", new int[] {1, 1}), 2);
        int[] p = require2d(op, "pads", a.getInts("pads", new int[] {0, 0, 0, 0}), 4);
        int[] d = require2d(op, "dilations", a.getInts("dilations", new int[] {1, 1}), 2);
        return new WindowAttrs(k, s, p, d, AutoPad.parse(a.getString("auto_pad", "NOTSET")), a.getLong("ceil_mode", 0) != 0);
    }

    private static int[] require2d(String op, String name, int[] v, int len) {
        if (v.length != len) {
            throw new UnsupportedOpException(op + " supports 2-D windows only, but " + name + " is " + Arrays.toString(v));
        }
        return v;
    }

    /** The window over an h x w input with the given kernel, auto_pad resolved as ONNX specifies. */
    public Window2d resolve(int h, int w, int kh, int kw) {
        int[] p = pads;
        if (autoPad == AutoPad.VALID) {
            p = new int[4];
        } else if (autoPad == AutoPad.SAME_UPPER || autoPad == AutoPad.SAME_LOWER) {
            p = new int[4];
            int[] in = {h, w};
            int[] k = {kh, kw};
            for (int axis = 0; axis < 2; axis++) {
                int out = (in[axis] + strides[axis] - 1) / strides[axis];
                int total = Math.max(0, (out - 1) * strides[axis] + (k[axis] - 1) * dilations[axis] + 1 - in[axis]);
                // SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the beginning.
                int begin = autoPad == AutoPad.SAME_UPPER ? total / 2 : total - total / 2;
                p[axis] = begin;
                p[axis + 2] = total - begin;
            }
            // ceil_mode does not apply to SAME: the output is exactly ceil(in / stride).
            return Window2d.of(h, w, kh, kw, strides[0], strides[1], dilations[0], dilations[1], p[0], p[1], p[2], p[3], false);
        }
        return Window2d.of(h, w, kh, kw, strides[0], strides[1], dilations[0], dilations[1], p[0], p[1], p[2], p[3], ceilMode);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowAttrs x && Arrays.equals(kernelShape, x.kernelShape) && Arrays.equals(strides, x.strides)
                && Arrays.equals(pads, x.pads) && Arrays.equals(dilations, x.dilations) && autoPad == x.autoPad && ceilMode == x.ceilMode;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(strides) * 31 + Arrays.hashCode(pads);
    }

    @Override
    public String toString() {
        return "kernel " + Arrays.toString(kernelShape) + ", strides " + Arrays.toString(strides) + ", pads " + Arrays.toString(pads)
                + ", dilations " + Arrays.toString(dilations) + ", auto_pad " + autoPad + (ceilMode ? ", ceil_mode" : "");
    }
}
