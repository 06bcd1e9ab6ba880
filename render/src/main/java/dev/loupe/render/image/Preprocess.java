package dev.loupe.render.image;

import dev.loupe.engine.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a photo becomes a model input: an optional resize (shorter side to a length, or to an exact
 * size), an optional centre crop, scaling to [0, 1], then {@code (x - mean) / std} per channel,
 * in the tensor's channel order. Immutable; the {@code with} methods return changed copies.
 *
 * <p>Presets: {@code imagenet} (torchvision's evaluation transform: shorter side 256, centre crop
 * 224, ImageNet mean and std) and {@code none} (the image as it is, only x/255).
 */
public final class Preprocess {
    /** torchvision's evaluation crop ratio, 224/256. */
    private static final double CROP_RATIO = 224.0 / 256.0;

    private final String name;
    private final int shorterSide;
    private final int exactWidth;
    private final int exactHeight;
    private final int crop;
    private final float[] mean;
    private final float[] std;
    private final ChannelOrder order;

    private Preprocess(String name, int shorterSide, int exactWidth, int exactHeight, int crop, float[] mean,
            float[] std, ChannelOrder order) {
        this.name = name;
        this.shorterSide = shorterSide;
        this.exactWidth = exactWidth;
        this.exactHeight = exactHeight;
        this.crop = crop;
        this.mean = mean.clone();
        this.std = std.clone();
        this.order = order;
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("std values must be positive, got " + Arrays.toString(std));
            }
        }
    }

    public static Preprocess imagenet() {
        return new Preprocess("imagenet", 256, 0, 0, 224, new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f}, ChannelOrder.RGB);
    }

    public static Preprocess none() {
        return new Preprocess("none", 0, 0, 0, 0, new float[] {0, 0, 0}, new float[] {1, 1, 1}, ChannelOrder.RGB);
    }

    /** The preset of that name: {@code imagenet} or {@code none}. */
    public static Preprocess preset(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "imagenet" -> imagenet();
            case "none" -> none();
            default -> throw new IllegalArgumentException("unknown preset '" + name + "'; use imagenet or none");
        };
    }

    public String name() {
        return name;
    }

    /**
     * Sets the model's input size to {@code size x size}. With a crop (imagenet) the shorter side
     * is first resized to {@code size / 0.875}, as torchvision does; without, the image is
     * resized to exactly that size.
     */
    public Preprocess withSize(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        if (crop > 0) {
            return new Preprocess(name, (int) Math.round(size / CROP_RATIO), 0, 0, size, mean, std, order);
        }
        return new Preprocess(name, 0, size, size, 0, mean, std, order);
    }

    /** Mean per channel, listed in the tensor's channel order. */
    public Preprocess withMean(float... m) {
        return new Preprocess(name, shorterSide, exactWidth, exactHeight, crop, check(m, "mean"), std, order);
    }

    /** Standard deviation per channel, listed in the tensor's channel order. */
    public Preprocess withStd(float... s) {
        return new Preprocess(name, shorterSide, exactWidth, exactHeight, crop, mean, check(s, "std"), order);
    }

    /** Changes the channel order; a preset's mean and std follow the channels they belong to. */
    public Preprocess withChannels(ChannelOrder o) {
        if (o == order) {
            return this;
        }
        return new Preprocess(name, shorterSide, exactWidth, exactHeight, crop, reversed(mean), reversed(std), o);
    }

    public ChannelOrder channels() {
        return order;
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    /** The input height and width this produces for a photo of the given size. */
    public int[] outputSize(int width, int height) {
        int[] r = resizedSize(width, height);
        return crop > 0 ? new int[] {Math.min(crop, r[1]), Math.min(crop, r[0])} : new int[] {r[1], r[0]};
    }

    private static float[] check(float[] v, String what) {
        if (v.length != 3) {
            throw new IllegalArgumentException(what + " needs 3 values (one per channel), got " + v.length);
        }
        return v;
    }

    private static float[] reversed(float[] v) {
        return new float[] {v[2], v[1], v[0]};
    }

    /** Resized width and height: torchvision truncates the longer side. */
    private int[] resizedSize(int w, int h) {
        if (exactWidth > 0) {
            return new int[] {exactWidth, exactHeight};
        }
        if (shorterSide <= 0) {
            return new int[] {w, h};
        }
        if (w <= h) {
            return new int[] {shorterSide, (int) ((long) shorterSide * h / w)};
        }
        return new int[] {(int) ((long) shorterSide * w / h), shorterSide};
    }

    /** Loads and prepares a photo. */
    public Preprocessed apply(Path file) throws ImageReadException {
        return apply(Images.load(file));
    }

    /** Prepares an RGB image. */
    public Preprocessed apply(BufferedImage original) {
        BufferedImage rgb = Images.toRgb(original);
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        int[] r = resizedSize(w, h);
        BufferedImage resized = (r[0] == w && r[1] == h) ? rgb : Resample.resize(rgb, r[0], r[1]);
        int cw = r[0];
        int ch = r[1];
        int cx = 0;
        int cy = 0;
        if (crop > 0) {
            cw = Math.min(crop, r[0]);
            ch = Math.min(crop, r[1]);
            // torchvision: int(round((size - crop) / 2)), Python rounding halves to even.
            cx = (int) Math.rint((r[0] - cw) / 2.0);
            cy = (int) Math.rint((r[1] - ch) / 2.0);
        }
        BufferedImage view = copy(resized.getSubimage(cx, cy, cw, ch));
        Geometry g = new Geometry(w, h, r[0], r[1], cx, cy, cw, ch);
        return new Preprocessed(toTensor(view), view, rgb, g);
    }

    private static BufferedImage copy(BufferedImage sub) {
        BufferedImage out = new BufferedImage(sub.getWidth(), sub.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(sub, 0, 0, null);
        return out;
    }

    /** Normalises an RGB picture into a {@code [1, 3, H, W]} tensor. */
    public Tensor toTensor(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = img.getRGB(0, 0, w, h, null, 0, w);
        float[] d = new float[3 * w * h];
        int plane = w * h;
        for (int c = 0; c < 3; c++) {
            // Tensor channel c holds red for RGB, blue for BGR.
            int shift = (order == ChannelOrder.RGB ? 16 - 8 * c : 8 * c);
            float m = mean[c];
            float s = std[c];
            for (int i = 0; i < plane; i++) {
                float x = ((px[i] >> shift) & 0xff) / 255f;
                d[c * plane + i] = (x - m) / s;
            }
        }
        return new Tensor(new int[] {1, 3, h, w}, d);
    }

    /** Stacks single-image inputs of equal size into one {@code [N, 3, H, W]} batch. */
    public static Tensor batch(List<Tensor> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("no images to batch");
        }
        int[] first = items.get(0).shape();
        int per = items.get(0).size() / first[0];
        int n = 0;
        for (Tensor t : items) {
            int[] s = t.shape();
            if (s.length != first.length || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(first, 1, first.length))) {
                throw new IllegalArgumentException("cannot batch images of shapes " + Arrays.toString(first) + " and "
                        + Arrays.toString(s) + "; use a preset or --size so all inputs have one size");
            }
            n += s[0];
        }
        float[] d = new float[n * per];
        int off = 0;
        for (Tensor t : items) {
            System.arraycopy(t.data(), 0, d, off, t.size());
            off += t.size();
        }
        int[] shape = first.clone();
        shape[0] = n;
        return new Tensor(shape, d);
    }

    /**
     * A picture of a batch item of an input tensor that did not come from a photo (e.g. an .npy):
     * the channels stretched jointly to [0, 255], read in this preprocessing's channel order.
     */
    public BufferedImage pictureOf(Tensor input, int item) {
        int[] s = input.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException("expected an NCHW tensor, got " + Arrays.toString(s));
        }
        int c = s[1];
        int h = s[2];
        int w = s[3];
        int plane = h * w;
        int off = item * c * plane;
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        float[] d = input.data();
        for (int i = off; i < off + c * plane; i++) {
            lo = Math.min(lo, d[i]);
            hi = Math.max(hi, d[i]);
        }
        float span = hi > lo ? hi - lo : 1f;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < plane; i++) {
            int[] v = new int[3];
            for (int k = 0; k < 3; k++) {
                int ch = c == 1 ? 0 : (order == ChannelOrder.RGB ? k : 2 - k);
                if (ch >= c) {
                    ch = c - 1;
                }
                v[k] = Math.round((d[off + ch * plane + i] - lo) / span * 255f);
            }
            img.setRGB(i % w, i / w, (v[0] << 16) | (v[1] << 8) | v[2]);
        }
        return img;
    }

    @Override
    public String toString() {
        String size = exactWidth > 0 ? "resize " + exactWidth + "x" + exactHeight
                : shorterSide > 0 ? "resize shorter side " + shorterSide : "no resize";
        return name + " (" + size + (crop > 0 ? ", centre crop " + crop : "") + ", x/255, mean "
                + Arrays.toString(mean) + ", std " + Arrays.toString(std) + ", " + order + ")";
    }
}
