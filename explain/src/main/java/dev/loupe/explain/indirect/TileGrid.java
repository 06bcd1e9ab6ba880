package dev.loupe.explain.indirect;

import dev.loupe.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows of small images ready to draw: each tile is {@code [1 or 3, h, w]} with values in [0, 1]
 * (gray or RGB), optionally captioned; each row optionally labelled. The render module draws it
 * with labels; {@link #compose} lays it out as one image tensor without any.
 */
public record TileGrid(List<Row> rows) {
    public TileGrid {
        rows = List.copyOf(rows);
    }

    /** One tile: {@code pixels} is {@code [C, h, w]} in [0, 1]; NaN pixels draw as background. */
    public record Tile(Tensor pixels, String caption) {
    }

    public record Row(String label, List<Tile> tiles) {
        public Row {
            tiles = List.copyOf(tiles);
        }
    }

    /** A grid from tiles laid out {@code columns} to a row (the last row may be shorter). */
    public static TileGrid wrap(List<Tile> tiles, int columns) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < tiles.size(); i += columns) {
            rows.add(new Row(null, tiles.subList(i, Math.min(tiles.size(), i + columns))));
        }
        return new TileGrid(rows);
    }

    /** The number of tiles. */
    public int count() {
        return rows.stream().mapToInt(r -> r.tiles().size()).sum();
    }

    /** The largest tile height and width. */
    public int[] cellSize() {
        int h = 0;
        int w = 0;
        for (Row r : rows) {
            for (Tile t : r.tiles()) {
                h = Math.max(h, t.pixels().dim(1));
                w = Math.max(w, t.pixels().dim(2));
            }
        }
        return new int[] {h, w};
    }

    /**
     * Lays the tiles out in cells of the largest tile's size times {@code scale} (nearest-neighbour
     * upscaling), {@code gap} pixels apart, each tile centred in its cell: {@code [C, H, W]} with C = 3
     * if any tile is RGB (gray tiles repeated) else 1. Gaps and empty space take {@code background}.
     */
    public Tensor compose(int scale, int gap, float background) {
        if (scale < 1 || gap < 0) {
            throw new IllegalArgumentException("scale must be >= 1 and gap >= 0");
        }
        int[] cell = cellSize();
        int cols = rows.stream().mapToInt(r -> r.tiles().size()).max().orElse(0);
        int c = 1;
        for (Row r : rows) {
            for (Tile t : r.tiles()) {
                c = Math.max(c, t.pixels().dim(0));
            }
        }
        int ch = cell[0] * scale;
        int cw = cell[1] * scale;
        int hh = rows.size() * ch + Math.max(0, rows.size() - 1) * gap;
        int ww = cols * cw + Math.max(0, cols - 1) * gap;
        float[] out = new float[c * hh * ww];
        java.util.Arrays.fill(out, background);
        for (int ri = 0; ri < rows.size(); ri++) {
            List<Tile> tiles = rows.get(ri).tiles();
            for (int ci = 0; ci < tiles.size(); ci++) {
                Tensor p = tiles.get(ci).pixels();
                int tc = p.dim(0);
                int th = p.dim(1) * scale;
                int tw = p.dim(2) * scale;
                int oy = ri * (ch + gap) + (ch - th) / 2;
                int ox = ci * (cw + gap) + (cw - tw) / 2;
                for (int k = 0; k < c; k++) {
                    int sk = tc == 1 ? 0 : Math.min(k, tc - 1);
                    for (int y = 0; y < th; y++) {
                        for (int x = 0; x < tw; x++) {
                            float v = p.data()[(sk * p.dim(1) + y / scale) * p.dim(2) + x / scale];
                            if (v == v) {
                                out[(k * hh + oy + y) * ww + ox + x] = v;
                            }
                        }
                    }
                }
            }
        }
        return new Tensor(new int[] {c, hh, ww}, out);
    }

    /** {@code values} scaled so that [lo, hi] maps to [0, 1] (clamped); a flat range maps to 0.5. */
    static float[] scale(float[] values, int from, int count, float lo, float hi) {
        float[] out = new float[count];
        float span = hi - lo;
        for (int i = 0; i < count; i++) {
            float v = values[from + i];
            out[i] = span > 0 ? Math.max(0f, Math.min(1f, (v - lo) / span)) : 0.5f;
        }
        return out;
    }

    /** {min, max} of {@code values[from, from+count)}, ignoring NaN. */
    static float[] range(float[] values, int from, int count) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = from; i < from + count; i++) {
            float v = values[i];
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        return new float[] {lo, hi};
    }
}
