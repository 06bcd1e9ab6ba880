package dev.loupe.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.ops.Reshape;
import dev.loupe.engine.train.ModelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExecutorEvaluateTest {
    private static Tensor image(long seed) {
        return image(seed, 2, 8);
    }

    private static Tensor image(long seed, int n, int size) {
        Random r = new Random(seed);
        Tensor x = Tensor.zeros(n, 1, size, size);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = r.nextFloat();
        }
        return x;
    }

    @Test
    void wantedTensorsEqualTheFullForwardPass() {
        Graph g = new ModelBuilder(1, 8, 8, 3).conv(4, 3, 1).relu().maxPool(2).flatten().dense(3).build();
        Tensor x = image(1);
        Trace full = Executor.forward(g, x);
        String out = g.outputs().get(0).name();
        String middle = g.nodes().get(1).outputs().get(0);
        Map<String, Tensor> got = Executor.evaluate(g, x, List.of(out, middle));
        assertEquals(List.of(out, middle), new ArrayList<>(got.keySet()));
        assertArrayEquals(full.get(out).data(), got.get(out).data());
        assertArrayEquals(full.get(middle).data(), got.get(middle).data());
    }

    @Test
    void nodesTheWantedTensorsDoNotNeedAreNotRun() {
        Graph base = new ModelBuilder(1, 8, 8, 3).conv(4, 3, 1).relu().build();
        String relu = base.outputs().get(0).name();
        // A last node that fails whenever it runs: 4*8*8 values cannot become 7 of them.
        List<Node> nodes = new ArrayList<>(base.nodes());
        Map<String, Tensor> constants = new java.util.LinkedHashMap<>(base.constants());
        constants.put("bad.shape", new Tensor(new int[] {1}, new float[] {7}));
        nodes.add(new Node("bad", new Reshape(), List.of(relu, "bad.shape"), List.of("bad.out")));
        Graph g = new Graph(nodes, constants, base.inputs(), List.of(ValueInfo.of("bad.out")));
        Tensor x = image(2);
        assertThrows(RuntimeException.class, () -> Executor.forward(g, x));
        Tensor r = Executor.evaluate(g, x, List.of(relu)).get(relu);
        assertArrayEquals(Executor.forward(base, x).get(relu).data(), r.data());
    }

    @Test
    void unknownNamesAreReported() {
        Graph g = new ModelBuilder(1, 8, 8, 3).conv(2, 3, 1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Executor.evaluate(g, image(3), List.of("nope")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void recycledActivationsLeaveResultsInputsAndConstantsIntact() {
        // Large enough to be pooled; Flatten's output is a view of the ReLU's array, and the
        // wanted view must keep that array out of the pool.
        Graph g = new ModelBuilder(1, 32, 32, 5).normalize(0.5f, 0.25f).conv(8, 3, 1).relu().flatten().build();
        String flat = g.outputs().get(0).name();
        String conv = g.nodes().get(2).outputs().get(0);
        Map<String, float[]> constantsBefore = new java.util.HashMap<>();
        g.constants().forEach((k, v) -> constantsBefore.put(k, v.data().clone()));
        Tensor x1 = image(4, 4, 32);
        Tensor x2 = image(5, 4, 32);
        float[] x1Before = x1.data().clone();

        Map<String, Tensor> first = Executor.evaluate(g, x1, List.of(flat, conv));
        float[] flatFirst = first.get(flat).data().clone();
        float[] convFirst = first.get(conv).data().clone();
        Map<String, Tensor> second = Executor.evaluate(g, x2, List.of(flat, conv));
        Map<String, Tensor> third = Executor.evaluate(g, x1, List.of(flat, conv));

        assertTrue(Buffers.pooledBytes() > 0, "the normalisation's arrays should have gone back to the pool");
        assertArrayEquals(flatFirst, first.get(flat).data(), "an earlier result was recycled");
        assertArrayEquals(convFirst, first.get(conv).data(), "an earlier result was recycled");
        Trace full2 = Executor.forward(g, x2);
        assertArrayEquals(full2.get(flat).data(), second.get(flat).data());
        assertArrayEquals(full2.get(conv).data(), second.get(conv).data());
        assertArrayEquals(flatFirst, third.get(flat).data());
        assertArrayEquals(x1Before, x1.data());
        g.constants().forEach((k, v) -> assertArrayEquals(constantsBefore.get(k), v.data(), k));
        for (Tensor t : second.values()) {
            assertTrue(t.data() != first.get(flat).data() && t.data() != first.get(conv).data(),
                    "a later pass reused an array still held by the caller");
        }
    }

    @Test
    void reluFusedIntoConvAndAddEqualsTheTracedPassBitForBit() {
        // x -> conv(3x3, 64->64: the Winograd path) -> relu -> conv(3x3 stride 2, the GEMM path)
        // -> relu -> conv 1x1 (no bias) -> add(relu2) -> relu; and a conv whose output is also
        // read elsewhere, which must not fuse.
        Random r = new Random(21);
        Map<String, Tensor> constants = new java.util.LinkedHashMap<>();
        constants.put("w1", randomTensor(r, 64, 64, 3, 3));
        constants.put("b1", randomTensor(r, 64));
        constants.put("w2", randomTensor(r, 64, 64, 3, 3));
        constants.put("b2", randomTensor(r, 64));
        constants.put("w3", randomTensor(r, 64, 64, 1, 1));
        dev.loupe.engine.ops.WindowAttrs same = dev.loupe.engine.ops.WindowAttrs.of(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1, 1, 1});
        dev.loupe.engine.ops.WindowAttrs down = dev.loupe.engine.ops.WindowAttrs.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1});
        dev.loupe.engine.ops.WindowAttrs point = dev.loupe.engine.ops.WindowAttrs.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0, 0, 0});
        List<Node> nodes = List.of(
                new Node("c1", new dev.loupe.engine.ops.Conv(1, same), List.of("x", "w1", "b1"), List.of("c1")),
                new Node("r1", new dev.loupe.engine.ops.Relu(), List.of("c1"), List.of("r1")),
                new Node("c2", new dev.loupe.engine.ops.Conv(1, down), List.of("r1", "w2", "b2"), List.of("c2")),
                new Node("r2", new dev.loupe.engine.ops.Relu(), List.of("c2"), List.of("r2")),
                new Node("c3", new dev.loupe.engine.ops.Conv(1, point), List.of("r2", "w3"), List.of("c3")),
                new Node("sum", new dev.loupe.engine.ops.Binary(dev.loupe.engine.ops.Binary.Kind.ADD), List.of("c3", "r2"), List.of("sum")),
                new Node("r3", new dev.loupe.engine.ops.Relu(), List.of("sum"), List.of("r3")),
                new Node("c4", new dev.loupe.engine.ops.Conv(1, point), List.of("r3", "w3"), List.of("c4")),
                new Node("r4", new dev.loupe.engine.ops.Relu(), List.of("c4"), List.of("r4")),
                new Node("out", new dev.loupe.engine.ops.Binary(dev.loupe.engine.ops.Binary.Kind.ADD), List.of("r4", "c4"), List.of("out")));
        Graph g = new Graph(nodes, constants, List.of(ValueInfo.of("x", 2, 64, 9, 11)), List.of(ValueInfo.of("out")));
        Tensor x = randomTensor(r, 2, 64, 9, 11);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] -= 0.5f;
        }
        Trace full = Executor.forward(g, x);
        for (List<String> wanted : List.of(List.of("out"), List.of("out", "r3", "r1"), List.of("out", "c1", "sum"))) {
            Map<String, Tensor> got = Executor.evaluate(g, x, wanted);
            for (String name : wanted) {
                assertArrayEquals(full.get(name).data(), got.get(name).data(), name + " of " + wanted);
            }
        }
        // Fused or not, the ReLUs did clamp: the last ReLU's output has zeros and no negatives.
        float min = Float.MAX_VALUE;
        for (float v : Executor.evaluate(g, x, List.of("r3")).get("r3").data()) {
            min = Math.min(min, v);
        }
        assertEquals(0f, min);
    }

    private static Tensor randomTensor(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (r.nextFloat() - 0.5f) * 0.2f;
        }
        return t;
    }
}
