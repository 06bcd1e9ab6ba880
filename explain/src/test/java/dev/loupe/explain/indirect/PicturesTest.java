package dev.loupe.explain.indirect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.ops.Flatten;
import dev.loupe.engine.ops.Gemm;
import dev.loupe.explain.embedding.Embeddings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PicturesTest {
    @Test
    void firstLayerFiltersAreRgbTilesEachScaledOnItsOwn() {
        Tensor w = Tensor.zeros(4, 3, 2, 2);
        for (int i = 0; i < w.size(); i++) {
            w.data()[i] = (i / 12 + 1) * (i % 12 - 5.5f);
        }
        Nets n = new Nets(3);
        n.conv("c1", w, new float[4], 1, 0).relu("r1").conv("c2", 5, 3, 1, 1, 0.5f);
        Graph g = n.build(3, 8, 8);
        TileGrid grid = Filters.picture(g, null, 2, 0, 0);
        assertEquals(2, grid.rows().size());
        Tensor t3 = grid.rows().get(1).tiles().get(1).pixels();
        assertArrayEquals(new int[] {3, 2, 2}, t3.shape());
        // Filter 3 is filter 0 times 4: the same tile once each is scaled on its own.
        assertArrayEquals(grid.rows().get(0).tiles().get(0).pixels().data(), t3.data(), 1e-6f);
        assertEquals(0f, t3.data()[0], 1e-6);
        assertEquals(1f, t3.data()[11], 1e-6);
        // A deeper layer: one row per filter, one tile per input channel, capped.
        TileGrid deep = Filters.picture(g, "c2", 8, 3, 2);
        assertEquals(3, deep.rows().size());
        assertEquals(2, deep.rows().get(0).tiles().size());
        assertArrayEquals(new int[] {1, 3, 3}, deep.rows().get(0).tiles().get(0).pixels().shape());
        Tensor composed = grid.compose(3, 1, 1f);
        assertArrayEquals(new int[] {3, 2 * 6 + 1, 2 * 6 + 1}, composed.shape());
        assertEquals(1f, composed.get(0, 6, 0));
    }

    @Test
    void activationGridTopChannelsAndScaling() {
        Tensor act = Tensor.zeros(1, 3, 2, 2);
        float[] v = {0, 1, 2, 3, 0, 0, 0, 10, 5, 5, 5, 5};
        System.arraycopy(v, 0, act.data(), 0, v.length);
        assertArrayEquals(new int[] {1, 2}, ActivationGrid.topChannels(act, 0, 2, ActivationGrid.Rank.MAX));
        assertArrayEquals(new int[] {2, 1}, ActivationGrid.topChannels(act, 0, 2, ActivationGrid.Rank.MEAN));
        TileGrid shared = ActivationGrid.grid(act, 0, null, ActivationGrid.Scaling.SHARED, 3);
        assertEquals(0.3f, shared.rows().get(0).tiles().get(0).pixels().data()[3], 1e-6);
        TileGrid per = ActivationGrid.grid(act, 0, null, ActivationGrid.Scaling.PER_CHANNEL, 3);
        assertEquals(1f, per.rows().get(0).tiles().get(0).pixels().data()[3], 1e-6);
        assertEquals(0.5f, per.rows().get(0).tiles().get(2).pixels().data()[0], 1e-6);
        TileGrid over = ActivationGrid.overlay(per, Tensor.zeros(1, 8, 8), 0.7f);
        assertArrayEquals(new int[] {3, 8, 8}, over.rows().get(0).tiles().get(0).pixels().shape());
    }

    @Test
    void defaultEmbeddingLayerIsTheClassifierInput() {
        Nets n = new Nets(1);
        n.conv("c1", 2, 3, 1, 1, 0.1f).relu("r1");
        List<Node> nodes = new ArrayList<>(n.nodes);
        nodes.add(new Node("flat", new Flatten(1), List.of("r1"), List.of("features")));
        n.constants.put("fc.w", Tensor.zeros(3, 2 * 4 * 4));
        n.constants.put("fc.b", Tensor.zeros(3));
        nodes.add(new Node("fc", new Gemm(1, 1, false, true), List.of("features", "fc.w", "fc.b"), List.of("logits")));
        Graph g = new Graph(nodes, n.constants, List.of(ValueInfo.of("x", -1, 1, 4, 4)), List.of(ValueInfo.of("logits")));
        assertEquals("features", Embeddings.defaultLayer(g));
        Trace t = Executor.forward(g, Tensor.zeros(2, 1, 4, 4));
        assertArrayEquals(new int[] {2, 32}, Embeddings.vectors(t.get("features"), Embeddings.Pool.AVERAGE).shape());
        assertArrayEquals(new int[] {2, 2}, Embeddings.vectors(t.get("r1"), Embeddings.Pool.AVERAGE).shape());
    }
}
