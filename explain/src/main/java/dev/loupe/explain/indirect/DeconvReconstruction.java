package dev.loupe.explain.indirect;

import dev.loupe.engine.Graph;
import dev.loupe.engine.RuleBinding;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Images;
import dev.loupe.explain.Models;
import dev.loupe.explain.rules.Composites;
import java.util.List;
import java.util.Map;

/**
 * Zeiler &amp; Fergus's DeconvNet projection of one activation back to pixel space: the layer's
 * gradient is seeded with the activation's value at one unit (all other units and channels zero)
 * and sent to the input with the deconvnet ReLU rule (only positive signals pass, whatever the
 * forward activation was). Convolutions run backward with their transposed filters, and max
 * pooling routes each signal to the position that won in the forward pass, which is the
 * paper's unpooling through the recorded switches.
 */
public final class DeconvReconstruction {
    private DeconvReconstruction() {
    }

    /** A reconstruction: {@code image} is shaped like the input item {@code [C, H, W]}. */
    public record Projection(Tensor image, String layer, int channel, int y, int x, float activation, ReceptiveField field) {
        /** The reconstruction cut to the unit's receptive field (clamped), beside which its patch is shown. */
        public Tensor patch() {
            return MaxActivatingPatches.crop(image, field.clampedRegion(y, x, image.dim(1), image.dim(2)));
        }
    }

    /**
     * Projects channel {@code channel} of {@code layer} at unit (y, x) for image {@code input}
     * {@code [1, C, H, W]}; y &lt; 0 picks the channel's strongest unit.
     */
    public static Projection project(Graph graph, Tensor input, String layer, int channel, int y, int x) {
        Images.requireImage(input, "the input");
        if (input.dim(0) != 1) {
            throw new IllegalArgumentException("project one image at a time, got a batch of " + input.dim(0));
        }
        Graph g = Models.batchable(graph);
        Trace trace = Models.forward(g, input);
        return project(trace, layer, channel, y, x);
    }

    /** As {@link #project(Graph, Tensor, String, int, int, int)} on an existing single-image trace. */
    public static Projection project(Trace trace, String layer, int channel, int y, int x) {
        Graph g = trace.graph();
        Tensor act = trace.get(layer);
        Images.requireImage(act, "layer '" + layer + "'");
        int c = act.dim(1);
        int h = act.dim(2);
        int w = act.dim(3);
        if (channel < 0 || channel >= c) {
            throw new IllegalArgumentException("channel " + channel + " is out of range: '" + layer + "' has " + c + " channels");
        }
        int off = channel * h * w;
        if (y < 0) {
            int arg = 0;
            for (int i = 1; i < h * w; i++) {
                if (act.data()[off + i] > act.data()[off + arg]) {
                    arg = i;
                }
            }
            y = arg / w;
            x = arg % w;
        } else if (y >= h || x < 0 || x >= w) {
            throw new IllegalArgumentException("unit (" + y + ", " + x + ") is outside '" + layer + "' of " + h + "x" + w);
        }
        float value = act.data()[off + y * w + x];
        Tensor seed = Tensor.zeros(act.shape());
        // The paper projects the activation itself; a unit that did not fire projects nothing.
        seed.data()[off + y * w + x] = Math.max(0f, value);
        String input = Models.inputName(g);
        Tensor in = trace.get(input);
        Tensor r;
        try (RuleBinding binding = g.bindRules(Composites.deconvnet())) {
            r = trace.backward(Map.of(layer, seed), List.of(input)).get(input);
        }
        ReceptiveField field = ReceptiveField.of(g, layer, in.dim(2), in.dim(3));
        return new Projection(r.reshape(in.dim(1), in.dim(2), in.dim(3)), layer, channel, y, x, value, field);
    }

    /**
     * For each channel, its top patches each followed by the deconvnet reconstruction of the same
     * activation cut to the same field: the lecture's "patch | reconstruction" pairs. Each image
     * is run forward again once per hit.
     *
     * @throws java.io.IOException when an image cannot be read again
     */
    public static TileGrid grid(Graph graph, MaxActivatingPatches.Result result, dev.loupe.explain.data.Dataset data,
            java.util.function.UnaryOperator<Tensor> transform, int[] channels) throws java.io.IOException {
        java.util.List<TileGrid.Row> rows = new java.util.ArrayList<>();
        Graph g = Models.batchable(graph);
        for (int ch : channels) {
            java.util.List<TileGrid.Tile> tiles = new java.util.ArrayList<>();
            for (MaxActivatingPatches.Hit hit : result.hits().get(ch)) {
                Tensor image = MaxActivatingPatches.image(data, transform, hit);
                Projection pr = project(g, image.reshape(1, image.dim(0), image.dim(1), image.dim(2)), result.layer(), ch, hit.y(), hit.x());
                tiles.add(new TileGrid.Tile(MaxActivatingPatches.unit(MaxActivatingPatches.crop(image, result.field(), hit)),
                        String.format("%.2f", hit.value())));
                tiles.add(new TileGrid.Tile(symmetricUnit(pr.patch()), "deconv"));
            }
            rows.add(new TileGrid.Row("ch " + ch, tiles));
        }
        return new TileGrid(rows);
    }

    /** A signed map to [0, 1] with 0 at 0.5, as reconstructions are usually shown. */
    public static Tensor symmetricUnit(Tensor t) {
        float m = 0;
        for (float v : t.data()) {
            m = Math.max(m, Math.abs(v));
        }
        return new Tensor(t.shape(), TileGrid.scale(t.data(), 0, t.size(), -m, m));
    }
}
