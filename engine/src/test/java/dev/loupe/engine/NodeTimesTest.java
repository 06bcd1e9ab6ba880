package dev.loupe.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.train.ModelBuilder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NodeTimesTest {
    private static final Graph MODEL = new ModelBuilder(1, 8, 8, 3).conv(4, 3, 1).relu().maxPool(2).flatten().dense(3).build();

    private static Tensor image() {
        Random r = new Random(5);
        Tensor x = Tensor.zeros(2, 1, 8, 8);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = r.nextFloat();
        }
        return x;
    }

    @Test
    void everyNodeOfATracedPassAndItsBackwardIsTimedOnceInGraphOrder() {
        Tensor x = image();
        List<NodeTimes.Row> rows;
        try (NodeTimes times = NodeTimes.record()) {
            Trace t = Executor.forward(MODEL, x);
            t.gradientOfClass(MODEL.outputs().get(0).name(), new int[] {1, 2}, MODEL.inputs().get(0).name());
            rows = times.rows();
        }
        assertEquals(MODEL.nodes(), rows.stream().map(NodeTimes.Row::node).toList());
        long total = 0;
        for (NodeTimes.Row r : rows) {
            assertEquals(1, r.forwardCalls(), r.node().name());
            // Every node lies between the input and the logits, so each has its backward called.
            assertEquals(1, r.backwardCalls(), r.node().name());
            assertTrue(r.forwardNanos() >= 0 && r.backwardNanos() >= 0);
            total += r.forwardNanos() + r.backwardNanos();
        }
        assertTrue(total > 0, "a pass through a convolution takes measurable time");
    }

    @Test
    void aFusedReluIsChargedToTheNodeThatAppliesIt() {
        Tensor x = image();
        try (NodeTimes times = NodeTimes.record()) {
            Executor.evaluate(MODEL, x, List.of(MODEL.outputs().get(0).name()));
            List<String> types = times.rows().stream().map(r -> r.node().type()).toList();
            assertEquals("Conv", types.get(0));
            assertFalse(types.contains("Relu"), "the ReLU after the Conv runs inside it: " + types);
            assertTrue(times.rows().stream().allMatch(r -> r.backwardCalls() == 0));
        }
    }

    @Test
    void closedRecordingsStopCountingAndOnlyOneIsOpenAtATime() {
        Tensor x = image();
        NodeTimes first = NodeTimes.record();
        try {
            assertThrows(IllegalStateException.class, NodeTimes::record);
        } finally {
            first.close();
        }
        Executor.forward(MODEL, x);
        assertTrue(first.rows().isEmpty());
        try (NodeTimes second = NodeTimes.record()) {
            Executor.forward(MODEL, x);
            Executor.forward(MODEL, x);
            assertTrue(second.rows().stream().allMatch(r -> r.forwardCalls() == 2));
        }
    }
}
