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
        Random r = new Random(seed);
        Tensor x = Tensor.zeros(2, 1, 8, 8);
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
}
