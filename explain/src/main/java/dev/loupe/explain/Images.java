package dev.loupe.explain;

import dev.loupe.engine.Tensor;

/** Small NCHW image operations the methods share: stacking copies, per-channel means, blurring. */
public final class Images {
    private Images() {
    }

    /** Item {@code item} of a batch as a [1, ...] tensor (copied). */
    public static Tensor item(Tensor batch, int item) {
        return batch.slice0(item, 1);
    }

    /** Concatenates [1, ...] (or [k, ...]) tensors along axis 0. */
    public static Tensor concat(java.util.List<Tensor> parts) {
        int[] shape = parts.get(0).shape();
        int n = 0;
        int inner = parts.get(0).size() / Math.max(1, shape[0]);
        for (Tensor p : parts) {
            n += p.dim(0);
        }
        float[] d = new float[n * inner];
        int off = 0;
        for (Tensor p : parts) {
            System.arraycopy(p.data(), 0, d, off, p.size());
            off += p.size();
        }
        shape[0] = n;
        return new Tensor(shape, d);
    }

    /** Checks that {@code t} is an [N, C, H, W] image batch. */
    public static void requireImage(Tensor t, String what) {
        if (t.rank() != 4) {
            throw new IllegalArgumentException(what + " must be an image tensor [N, C, H, W] but has shape "
                    + Tensor.shapeString(t.shape()));
        }
    }

    /** The mean of each channel of a [1, C, H, W] image. */
    public static float[] channelMeans(Tensor image) {
        int c = image.dim(1);
        int hw = image.dim(2) * image.dim(3);
        float[] m = new float[c];
        for (int k = 0; k < c; k++) {
            double s = 0;
            for (int i = 0; i < hw; i++) {
                s += image.data()[k * hw + i];
            }
            m[k] = (float) (s / hw);
        }
        return m;
    }

    /**
     * A Gaussian blur of each channel with standard deviation {@code sigma} pixels (kernel radius
     * 3σ, borders replicated), the "blurred image" baseline/fill of Fong &amp; Vedaldi and Sturmfels et al.
     */
    public static Tensor gaussianBlur(Tensor image, double sigma) {
        requireImage(image, "the image to blur");
        if (!(sigma > 0)) {
            return image.copy();
        }
        int radius = Math.max(1, (int) Math.ceil(3 * sigma));
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        int planes = image.dim(0) * image.dim(1);
        int h = image.dim(2);
        int w = image.dim(3);
        float[] src = image.data();
        float[] tmp = new float[src.length];
        float[] out = new float[src.length];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int d = -radius; d <= radius; d++) {
                        int xx = Math.min(w - 1, Math.max(0, x + d));
                        s += k[d + radius] * src[base + y * w + xx];
                    }
                    tmp[base + y * w + x] = (float) s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int d = -radius; d <= radius; d++) {
                        int yy = Math.min(h - 1, Math.max(0, y + d));
                        s += k[d + radius] * tmp[base + yy * w + x];
                    }
                    out[base + y * w + x] = (float) s;
                }
            }
        }
        return new Tensor(image.shape(), out);
    }

    /** Max minus min of a tensor's values. */
    public static float range(Tensor t) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : t.data()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return hi - lo;
    }
}
