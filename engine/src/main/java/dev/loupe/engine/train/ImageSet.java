package dev.loupe.engine.train;

import dev.loupe.engine.Tensor;

/**
 * Labelled images held in memory, ready to feed: {@code pixels} holds {@code size()} images of
 * {@code channels x height x width} floats each (already normalised as the model expects), one
 * after another; {@code labels[i]} is image i's class in {@code [0, classes)}.
 *
 * <p>The arrays are shared, not copied: treat them as read-only.
 */
public record ImageSet(float[] pixels, int[] labels, int channels, int height, int width, int classes) {
    public ImageSet {
        long per = (long) channels * height * width;
        if (channels <= 0 || height <= 0 || width <= 0 || classes <= 0) {
            throw new IllegalArgumentException("an image set needs positive channels, height, width and classes");
        }
        if ((long) labels.length * per != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + pixels.length + " pixel values, not "
                    + labels.length + " images of " + channels + "x" + height + "x" + width);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is outside 0.." + (classes - 1));
            }
        }
    }

    public int size() {
        return labels.length;
    }

    public int imageSize() {
        return channels * height * width;
    }

    /** Images {@code order[from .. to)} as one {@code [to-from, C, H, W]} tensor (copied). */
    public Tensor batch(int[] order, int from, int to) {
        int per = imageSize();
        float[] d = new float[(to - from) * per];
        for (int i = from; i < to; i++) {
            System.arraycopy(pixels, order[i] * per, d, (i - from) * per, per);
        }
        return new Tensor(new int[] {to - from, channels, height, width}, d);
    }

    /** The labels of images {@code order[from .. to)}. */
    public int[] batchLabels(int[] order, int from, int to) {
        int[] l = new int[to - from];
        for (int i = from; i < to; i++) {
            l[i - from] = labels[order[i]];
        }
        return l;
    }

    /** Images {@code [from, to)} in stored order. */
    public Tensor range(int from, int to) {
        int per = imageSize();
        float[] d = new float[(to - from) * per];
        System.arraycopy(pixels, from * per, d, 0, d.length);
        return new Tensor(new int[] {to - from, channels, height, width}, d);
    }

    /** The first {@code n} images (shared arrays are copied). */
    public ImageSet head(int n) {
        int k = Math.min(n, size());
        float[] p = new float[k * imageSize()];
        System.arraycopy(pixels, 0, p, 0, p.length);
        int[] l = new int[k];
        System.arraycopy(labels, 0, l, 0, k);
        return new ImageSet(p, l, channels, height, width, classes);
    }
}
