package dev.loupe.explain.indirect;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The raw weights of convolution layers as pictures. The first layer's filters, whose depth is
 * the image's three colour channels, are drawn as small RGB images (AlexNet's 64 tiles of 11×11);
 * deeper filters, whose depth is hundreds of feature channels, as one row per filter of
 * grayscale tiles, one per input channel.
 */
public final class Filters {
    private Filters() {
    }

    /** How tiles are brought to [0, 1]. */
    public enum Scaling {
        /** Every tile min–max scaled on its own. */
        PER_TILE,
        /** All channels of one filter share a scale (so their relative strength shows). */
        PER_FILTER,
        /** One scale for the whole layer, symmetric about zero (0.5 = zero weight). */
        SHARED
    }

    /** The Conv nodes in graph order. */
    public static List<Node> convNodes(Graph graph) {
        return graph.nodes().stream().filter(n -> n.type().equals("Conv")).toList();
    }

    /**
     * The Conv node named {@code name} (its node name, or the name of its output tensor), or the
     * first Conv when {@code name} is null.
     *
     * @throws IllegalArgumentException when there is no such Conv, listing the Conv nodes
     */
    public static Node conv(Graph graph, String name) {
        List<Node> convs = convNodes(graph);
        if (convs.isEmpty()) {
            throw new IllegalArgumentException("the model has no Conv node");
        }
        if (name == null) {
            return convs.get(0);
        }
        for (Node n : convs) {
            if (n.name().equals(name) || n.outputs().contains(name)) {
                return n;
            }
        }
        throw new IllegalArgumentException("no Conv node or output named '" + name + "'; the Conv nodes are: "
                + String.join(", ", convs.stream().limit(40).map(Node::name).toList()) + (convs.size() > 40 ? ", ..." : ""));
    }

    /** The weights {@code [M, C/group, kh, kw]} of a Conv node (a constant of the graph). */
    public static Tensor weights(Graph graph, Node conv) {
        Tensor w = graph.constants().get(conv.inputs().get(1));
        if (w == null) {
            throw new IllegalArgumentException("the weights of Conv '" + conv.name() + "' are not a constant of the model");
        }
        return w;
    }

    /**
     * One tile per filter: RGB when the filters have 3 input channels, gray for 1; each tile
     * scaled on its own unless {@code shared}. At most {@code max} filters (all when ≤ 0).
     *
     * @throws IllegalArgumentException for filters of another depth (use {@link #channelRows})
     */
    public static List<TileGrid.Tile> colorTiles(Tensor weights, int max, boolean shared) {
        int m = weights.dim(0);
        int c = weights.dim(1);
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("filters with " + c + " input channels cannot be drawn as colour tiles; draw them per channel");
        }
        int inner = c * weights.dim(2) * weights.dim(3);
        float[] all = weights.data();
        float bound = maxAbs(all, 0, all.length);
        List<TileGrid.Tile> tiles = new ArrayList<>();
        int count = max > 0 ? Math.min(max, m) : m;
        for (int f = 0; f < count; f++) {
            float lo;
            float hi;
            if (shared) {
                lo = -bound;
                hi = bound;
            } else {
                float[] r = TileGrid.range(all, f * inner, inner);
                lo = r[0];
                hi = r[1];
            }
            float[] px = TileGrid.scale(all, f * inner, inner, lo, hi);
            tiles.add(new TileGrid.Tile(new Tensor(new int[] {c, weights.dim(2), weights.dim(3)}, px), "#" + f));
        }
        return tiles;
    }

    /**
     * One row per selected filter, one grayscale tile per selected input channel.
     *
     * @param filters  filter indices, or null for the first {@code maxFilters}
     * @param channels input-channel indices, or null for the first {@code maxChannels}
     */
    public static TileGrid channelRows(Tensor weights, int[] filters, int maxFilters, int[] channels, int maxChannels, Scaling scaling) {
        int m = weights.dim(0);
        int c = weights.dim(1);
        int kh = weights.dim(2);
        int kw = weights.dim(3);
        int[] fs = filters != null ? filters : range(Math.min(m, maxFilters > 0 ? maxFilters : m));
        int[] cs = channels != null ? channels : range(Math.min(c, maxChannels > 0 ? maxChannels : c));
        check(fs, m, "filter");
        check(cs, c, "input channel");
        float[] all = weights.data();
        int plane = kh * kw;
        float bound = maxAbs(all, 0, all.length);
        List<TileGrid.Row> rows = new ArrayList<>();
        for (int f : fs) {
            float[] fr = TileGrid.range(all, f * c * plane, c * plane);
            List<TileGrid.Tile> tiles = new ArrayList<>();
            for (int ch : cs) {
                int off = (f * c + ch) * plane;
                float lo;
                float hi;
                switch (scaling) {
                    case PER_TILE -> {
                        float[] r = TileGrid.range(all, off, plane);
                        lo = r[0];
                        hi = r[1];
                    }
                    case PER_FILTER -> {
                        lo = fr[0];
                        hi = fr[1];
                    }
                    default -> {
                        lo = -bound;
                        hi = bound;
                    }
                }
                tiles.add(new TileGrid.Tile(new Tensor(new int[] {1, kh, kw}, TileGrid.scale(all, off, plane, lo, hi)), "in " + ch));
            }
            rows.add(new TileGrid.Row("filter " + f, tiles));
        }
        return new TileGrid(rows);
    }

    /**
     * The usual picture of a Conv layer: colour tiles wrapped {@code columns} to a row for a first
     * layer (1 or 3 input channels), per-channel rows otherwise (at most {@code maxFilters} rows of
     * {@code maxChannels} tiles, each tile scaled on its own).
     */
    public static TileGrid picture(Graph graph, String convName, int columns, int maxFilters, int maxChannels) {
        Tensor w = weights(graph, conv(graph, convName));
        if (w.dim(1) == 1 || w.dim(1) == 3) {
            return TileGrid.wrap(colorTiles(w, maxFilters, false), columns);
        }
        return channelRows(w, null, maxFilters, null, maxChannels, Scaling.PER_TILE);
    }

    private static void check(int[] idx, int n, String what) {
        for (int i : idx) {
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException(what + " " + i + " is out of range: the layer has " + n + " (0.." + (n - 1) + ")");
            }
        }
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private static float maxAbs(float[] v, int from, int to) {
        float m = 0;
        for (int i = from; i < to; i++) {
            m = Math.max(m, Math.abs(v[i]));
        }
        return m;
    }
}
