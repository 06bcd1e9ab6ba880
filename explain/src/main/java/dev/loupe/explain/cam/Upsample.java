package dev.loupe.explain.cam;

import dev.loupe.engine.Tensor;

/**
 * Resizing [N, C, h, w] maps to [N, C, H, W] the way PyTorch's {@code F.interpolate} does, so
 * upsampled CAMs match Captum's {@code LayerAttribution.interpolate}.
 */
public final class Upsample {
    /** The interpolation modes, as the {@code upsample} option spells them. */
    public enum Mode {
        NEAREST, BILINEAR;

        public static Mode parse(String s) {
            return switch (s) {
                case "nearest" -> NEAREST;
                case "bilinear" -> BILINEAR;
                default -> throw new IllegalArgumentException("unknown upsample mode '" + s + "'; valid: none, bilinear, nearest");
            };
        }
    }

    private Upsample() {
    }

    public static Tensor resize(Tensor t, int outH, int outW, Mode mode) {
        return mode == Mode.NEAREST ? nearest(t, outH, outW) : bilinear(t, outH, outW);
    }

    /** PyTorch {@code mode="nearest"}: source index {@code floor(dst · in / out)}. */
    public static Tensor nearest(Tensor t, int outH, int outW) {
        int planes = t.dim(0) * t.dim(1);
        int h = t.dim(2);
        int w = t.dim(3);
        float sh = (float) h / outH;
        float sw = (float) w / outW;
        float[] src = t.data();
        float[] dst = new float[planes * outH * outW];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < outH; y++) {
                int sy = Math.min((int) Math.floor(y * sh), h - 1);
                for (int x = 0; x < outW; x++) {
                    int sx = Math.min((int) Math.floor(x * sw), w - 1);
                    dst[(p * outH + y) * outW + x] = src[(p * h + sy) * w + sx];
                }
            }
        }
        return new Tensor(new int[] {t.dim(0), t.dim(1), outH, outW}, dst);
    }

    /** PyTorch {@code mode="bilinear", align_corners=False}: half-pixel centres, clamped at the borders. */
    public static Tensor bilinear(Tensor t, int outH, int outW) {
        int planes = t.dim(0) * t.dim(1);
        int h = t.dim(2);
        int w = t.dim(3);
        double sh = (double) h / outH;
        double sw = (double) w / outW;
        float[] src = t.data();
        float[] dst = new float[planes * outH * outW];
        for (int y = 0; y < outH; y++) {
            double fy = Math.max(0, (y + 0.5) * sh - 0.5);
            int y0 = Math.min((int) fy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double ly = fy - y0;
            for (int x = 0; x < outW; x++) {
                double fx = Math.max(0, (x + 0.5) * sw - 0.5);
                int x0 = Math.min((int) fx, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                double lx = fx - x0;
                for (int p = 0; p < planes; p++) {
                    int base = p * h * w;
                    double v = (1 - ly) * ((1 - lx) * src[base + y0 * w + x0] + lx * src[base + y0 * w + x1])
                            + ly * ((1 - lx) * src[base + y1 * w + x0] + lx * src[base + y1 * w + x1]);
                    dst[(p * outH + y) * outW + x] = (float) v;
                }
            }
        }
        return new Tensor(new int[] {t.dim(0), t.dim(1), outH, outW}, dst);
    }
}
