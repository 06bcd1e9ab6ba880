package dev.loupe.train;

import dev.loupe.engine.io.FashionMnist;
import dev.loupe.engine.Tensor;

/**
 * The "spurious feature" of the biased model: a small bright square in a corner of the image,
 * a stand-in for the snow behind the wolves in the husky-vs-wolf story. A model trained on data
 * where only one class carries it learns to look at the square instead of the garment.
 *
 * @param size the side of the square, in pixels
 * @param corner where it sits
 * @param margin the distance from the image border, in pixels
 */
public record SpuriousMark(int size, Corner corner, int margin) implements FashionMnist.Mark {
    /** The four corners. */
    public enum Corner {
        TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT
    }

    /** The mark used for {@code fashion-cnn-biased}: a white 4x4 square one pixel in from the top-left corner. */
    public static final SpuriousMark DEFAULT = new SpuriousMark(4, Corner.TOP_LEFT, 1);

    public SpuriousMark {
        if (size < 1 || margin < 0) {
            throw new IllegalArgumentException("a mark needs size >= 1 and margin >= 0");
        }
    }

    public SpuriousMark at(Corner c) {
        return new SpuriousMark(size, c, margin);
    }

    /** Top row of the square in a {@code side x side} image. */
    public int top(int side) {
        return corner == Corner.TOP_LEFT || corner == Corner.TOP_RIGHT ? margin : side - margin - size;
    }

    /** Left column of the square in a {@code side x side} image. */
    public int left(int side) {
        return corner == Corner.TOP_LEFT || corner == Corner.BOTTOM_LEFT ? margin : side - margin - size;
    }

    /** Sets the square's pixels to 255 in the {@code side x side} byte image at {@code offset}. */
    public void paint(byte[] pixels, int offset, int side) {
        int y0 = top(side);
        int x0 = left(side);
        for (int y = y0; y < y0 + size; y++) {
            for (int x = x0; x < x0 + size; x++) {
                pixels[offset + y * side + x] = (byte) 255;
            }
        }
    }

    /**
     * How much of an explanation map falls on the mark: the fraction of {@code Σ|map|} inside the
     * square grown by {@code dilation} pixels on every side (clipped to the image), for a map of the
     * image's size, {@code [.., side, side]} with any leading axes (summed over). A map that is zero
     * everywhere gives 0.
     */
    public double shareOf(Tensor map, int dilation) {
        int h = map.dim(map.rank() - 2);
        int w = map.dim(map.rank() - 1);
        if (h != w || dilation < 0) {
            throw new IllegalArgumentException("need a square map and dilation >= 0, got " + Tensor.shapeString(map.shape())
                    + " and " + dilation);
        }
        int y0 = top(h) - dilation;
        int x0 = left(w) - dilation;
        int y1 = top(h) + size + dilation;
        int x1 = left(w) + size + dilation;
        float[] d = map.data();
        double in = 0;
        double all = 0;
        for (int i = 0; i < d.length; i++) {
            double v = Math.abs(d[i]);
            int y = i / w % h;
            int x = i % w;
            all += v;
            if (y >= y0 && y < y1 && x >= x0 && x < x1) {
                in += v;
            }
        }
        return all == 0 ? 0 : in / all;
    }
}
