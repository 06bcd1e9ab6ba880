package dev.loupe.explain.indirect;

import dev.loupe.engine.Tensor;
import dev.loupe.explain.Images;
import dev.loupe.explain.cam.Upsample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Every channel of one 4-D activation as a grid of feature maps (the lecture's "activations of
 * conv5"), optionally only the strongest channels, optionally laid over the input image.
 */
public final class ActivationGrid {
    private ActivationGrid() {
    }

    /** How maps are brought to [0, 1]. */
    public enum Scaling {
        /** One scale from the layer's minimum to its maximum, so channels compare. */
        SHARED,
        /** Every channel min–max scaled on its own, so weak channels still show structure. */
        PER_CHANNEL
    }

    /** The order of channels when only some are shown. */
    public enum Rank {
        MAX, MEAN
    }

    /** The channels of item {@code item} of {@code act} {@code [N, C, h, w]} with the largest max (or mean) activation, best first. */
    public static int[] topChannels(Tensor act, int item, int k, Rank rank) {
        Images.requireImage(act, "the activation");
        int c = act.dim(1);
        int hw = act.dim(2) * act.dim(3);
        float[] d = act.data();
        float[] score = new float[c];
        for (int ch = 0; ch < c; ch++) {
            int off = (item * c + ch) * hw;
            float s = rank == Rank.MAX ? Float.NEGATIVE_INFINITY : 0f;
            for (int i = 0; i < hw; i++) {
                s = rank == Rank.MAX ? Math.max(s, d[off + i]) : s + d[off + i] / hw;
            }
            score[ch] = s;
        }
        return IntStream.range(0, c).boxed().sorted(Comparator.comparingDouble((Integer ch) -> -score[ch]))
                .limit(Math.max(0, Math.min(k, c))).mapToInt(Integer::intValue).toArray();
    }

    /**
     * The feature maps of {@code channels} (all when null) of batch item {@code item}, one gray tile
     * {@code [1, h, w]} each captioned with its channel, wrapped {@code columns} to a row.
     */
    public static TileGrid grid(Tensor act, int item, int[] channels, Scaling scaling, int columns) {
        Images.requireImage(act, "the activation");
        int c = act.dim(1);
        int h = act.dim(2);
        int w = act.dim(3);
        int hw = h * w;
        int[] chs = channels != null ? channels : Filters.range(c);
        float[] d = act.data();
        float[] shared = TileGrid.range(d, item * c * hw, c * hw);
        List<TileGrid.Tile> tiles = new ArrayList<>();
        for (int ch : chs) {
            if (ch < 0 || ch >= c) {
                throw new IllegalArgumentException("channel " + ch + " is out of range: the layer has " + c + " channels");
            }
            int off = (item * c + ch) * hw;
            float[] r = scaling == Scaling.SHARED ? shared : TileGrid.range(d, off, hw);
            tiles.add(new TileGrid.Tile(new Tensor(new int[] {1, h, w}, TileGrid.scale(d, off, hw, r[0], r[1])), "ch " + ch));
        }
        return TileGrid.wrap(tiles, Math.max(1, columns));
    }

    /**
     * Each tile of {@code grid} (feature maps in [0, 1]) laid over {@code image} ({@code [C, H, W]}
     * in [0, 1]): the map is upsampled bilinearly to H×W and shown as red over the darkened gray image,
     * {@code alpha} weighing the map.
     */
    public static TileGrid overlay(TileGrid grid, Tensor image, float alpha) {
        int ic = image.dim(0);
        int hh = image.dim(1);
        int ww = image.dim(2);
        float[] gray = new float[hh * ww];
        for (int k = 0; k < ic; k++) {
            for (int i = 0; i < gray.length; i++) {
                gray[i] += image.data()[k * gray.length + i] / ic;
            }
        }
        List<TileGrid.Row> rows = new ArrayList<>();
        for (TileGrid.Row row : grid.rows()) {
            List<TileGrid.Tile> tiles = new ArrayList<>();
            for (TileGrid.Tile t : row.tiles()) {
                Tensor m = t.pixels();
                Tensor up = Upsample.bilinear(m.reshape(1, 1, m.dim(1), m.dim(2)), hh, ww);
                float[] px = new float[3 * hh * ww];
                for (int i = 0; i < gray.length; i++) {
                    float a = alpha * up.data()[i];
                    float base = 0.6f * gray[i];
                    px[i] = base * (1 - a) + a;
                    px[gray.length + i] = base * (1 - a) + a * 0.15f;
                    px[2 * gray.length + i] = base * (1 - a);
                }
                tiles.add(new TileGrid.Tile(new Tensor(new int[] {3, hh, ww}, px), t.caption()));
            }
            rows.add(new TileGrid.Row(row.label(), tiles));
        }
        return new TileGrid(rows);
    }

    static String describe(int[] channels) {
        return Arrays.toString(channels);
    }
}
