package dev.loupe.render.image;

import java.awt.image.BufferedImage;

/**
 * Resizing with a triangle (bilinear) filter whose support widens with the scale factor when
 * shrinking, which is what PIL's {@code Image.resize(..., BILINEAR)} does and therefore what
 * torchvision's {@code Resize} does on PIL images. Plain bilinear sampling skips pixels when
 * shrinking by more than 2x and aliases, enough to change a classifier's top classes.
 *
 * <p>Like PIL, it runs a horizontal then a vertical pass and rounds to 8 bits after each pass.
 */
public final class Resample {
    private Resample() {
    }

    /** Resizes an RGB image to {@code width x height}. */
    public static BufferedImage resize(BufferedImage src, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("cannot resize to " + width + "x" + height);
        }
        int w = src.getWidth();
        int h = src.getHeight();
        int[] px = src.getRGB(0, 0, w, h, null, 0, w);
        int[][] planes = new int[3][w * h];
        for (int i = 0; i < px.length; i++) {
            planes[0][i] = (px[i] >> 16) & 0xff;
            planes[1][i] = (px[i] >> 8) & 0xff;
            planes[2][i] = px[i] & 0xff;
        }
        int[][] out = new int[3][];
        for (int c = 0; c < 3; c++) {
            out[c] = resizePlane(planes[c], w, h, width, height);
        }
        BufferedImage dst = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (out[0][i] << 16) | (out[1][i] << 8) | out[2][i];
        }
        dst.setRGB(0, 0, width, height, rgb, 0, width);
        return dst;
    }

    /** Resizes one 8-bit plane; exposed for tests on known gradients. */
    public static int[] resizePlane(int[] plane, int w, int h, int outW, int outH) {
        int[] tmp = plane;
        int tw = w;
        if (outW != w) {
            Weights wx = weights(w, outW);
            tmp = new int[outW * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < outW; x++) {
                    double s = 0;
                    int base = wx.start[x];
                    for (int k = 0; k < wx.count[x]; k++) {
                        s += wx.w[x][k] * plane[y * w + base + k];
                    }
                    tmp[y * outW + x] = clamp8(s);
                }
            }
            tw = outW;
        }
        if (outH == h) {
            return tmp;
        }
        Weights wy = weights(h, outH);
        int[] dst = new int[tw * outH];
        for (int y = 0; y < outH; y++) {
            int base = wy.start[y];
            for (int x = 0; x < tw; x++) {
                double s = 0;
                for (int k = 0; k < wy.count[y]; k++) {
                    s += wy.w[y][k] * tmp[(base + k) * tw + x];
                }
                dst[y * tw + x] = clamp8(s);
            }
        }
        return dst;
    }

    /** Resizes a float map (for attribution maps), same filter, no rounding. */
    public static float[] resizeFloat(float[] map, int w, int h, int outW, int outH) {
        float[] tmp = map;
        if (outW != w) {
            Weights wx = weights(w, outW);
            tmp = new float[outW * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < outW; x++) {
                    double s = 0;
                    for (int k = 0; k < wx.count[x]; k++) {
                        s += wx.w[x][k] * map[y * w + wx.start[x] + k];
                    }
                    tmp[y * outW + x] = (float) s;
                }
            }
        }
        if (outH == h) {
            return tmp;
        }
        Weights wy = weights(h, outH);
        float[] dst = new float[outW * outH];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                double s = 0;
                for (int k = 0; k < wy.count[y]; k++) {
                    s += wy.w[y][k] * tmp[(wy.start[y] + k) * outW + x];
                }
                dst[y * outW + x] = (float) s;
            }
        }
        return dst;
    }

    private static int clamp8(double v) {
        long r = Math.round(v);
        return (int) Math.max(0, Math.min(255, r));
    }

    private record Weights(int[] start, int[] count, double[][] w) {
    }

    /** Per output pixel: the first input pixel, how many contribute, and their normalised weights. */
    private static Weights weights(int in, int out) {
        double scale = (double) in / out;
        double filterScale = Math.max(1.0, scale);
        double support = 1.0 * filterScale; // the triangle filter has support 1
        int[] start = new int[out];
        int[] count = new int[out];
        double[][] w = new double[out][];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), in);
            double[] ws = new double[hi - lo];
            double total = 0;
            for (int k = 0; k < ws.length; k++) {
                double d = (k + lo - center + 0.5) / filterScale;
                double t = 1.0 - Math.abs(d);
                ws[k] = t > 0 ? t : 0;
                total += ws[k];
            }
            if (total > 0) {
                for (int k = 0; k < ws.length; k++) {
                    ws[k] /= total;
                }
            }
            start[i] = lo;
            count[i] = ws.length;
            w[i] = ws;
        }
        return new Weights(start, count, w);
    }
}
