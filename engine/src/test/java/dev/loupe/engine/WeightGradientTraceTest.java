package dev.loupe.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.ops.Conv;
import dev.loupe.engine.ops.Flatten;
import dev.loupe.engine.ops.Gemm;
import dev.loupe.engine.ops.Relu;
import dev.loupe.engine.ops.WindowAttrs;
import dev.loupe.engine.testing.GradCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Weights are differentiable inputs now, but {@link Trace#backward} must compute their gradients
 * only when a weight is a {@code wrt} target: explanation passes (wrt = the image) must not pay.
 */
class WeightGradientTraceTest {
    /** Wraps an op and records the {@code needInputGrad} of every backward call. */
    static final class Spy implements Op {
        final Op inner;
        final List<boolean[]> calls = new ArrayList<>();

        Spy(Op inner) {
            this.inner = inner;
        }

        @Override
        public String type() {
            return inner.type();
        }

        @Override
        public Tensor[] forward(Tensor[] inputs, Saved saved) {
            return inner.forward(inputs, saved);
        }

        @Override
        public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
            calls.add(needInputGrad.clone());
            return inner.backward(saved, gradOutputs, needInputGrad);
        }

        @Override
        public boolean isDifferentiable(int i) {
            return inner.isDifferentiable(i);
        }
    }

    private final Random rnd = new Random(5);
    private final Spy conv = new Spy(new Conv(1, WindowAttrs.of(null, new int[] {1, 1}, new int[] {1, 1, 1, 1})));
    private final Spy fc = new Spy(new Gemm(1f, 1f, false, true));
    private final Graph graph = graph();

    private Graph graph() {
        Map<String, Tensor> constants = new LinkedHashMap<>();
        constants.put("conv.w", GradCheck.random(rnd, 3, 2, 3, 3));
        constants.put("conv.b", GradCheck.random(rnd, 3));
        constants.put("fc.w", GradCheck.random(rnd, 4, 3 * 4 * 4));
        constants.put("fc.b", GradCheck.random(rnd, 4));
        List<Node> nodes = List.of(
                new Node("conv", conv, List.of("x", "conv.w", "conv.b"), List.of("c")),
                new Node("relu", new Relu(), List.of("c"), List.of("r")),
                new Node("flat", new Flatten(1), List.of("r"), List.of("f")),
                new Node("fc", fc, List.of("f", "fc.w", "fc.b"), List.of("y")));
        return new Graph(nodes, constants, List.of(ValueInfo.of("x", -1, 2, 4, 4)), List.of(ValueInfo.of("y", -1, 4)));
    }

    @Test
    void explanationPassesNeverAskForWeightGradients() {
        Trace t = Executor.forward(graph, GradCheck.random(rnd, 2, 2, 4, 4));
        t.gradientOfClass("y", new int[] {1, 3}, "x");
        assertEquals(1, conv.calls.size());
        assertEquals(1, fc.calls.size());
        assertArrayEquals(new boolean[] {true, false, false}, conv.calls.get(0));
        assertArrayEquals(new boolean[] {true, false, false}, fc.calls.get(0));
        // Towards an activation, the conv is not visited at all.
        t.gradientOfClass("y", new int[] {1, 3}, "r");
        assertEquals(1, conv.calls.size());
        assertArrayEquals(new boolean[] {true, false, false}, fc.calls.get(1));
    }

    @Test
    void constantsAreValidTargetsAndGetOnlyWhatIsAsked() {
        Trace t = Executor.forward(graph, GradCheck.random(rnd, 2, 2, 4, 4));
        assertSame(graph.constants().get("conv.w"), t.get("conv.w"));
        Tensor seed = Trace.oneHot(t.output(), new int[] {0, 2});
        Map<String, Tensor> g = t.backward(Map.of("y", seed), List.of("conv.w"));
        assertArrayEquals(new int[] {3, 2, 3, 3}, g.get("conv.w").shape());
        // The conv's input x is not requested: only its weight gradient is computed; the Gemm
        // passes the gradient on to its activation input but computes no weight gradient of its own.
        assertArrayEquals(new boolean[] {false, true, false}, conv.calls.get(0));
        assertArrayEquals(new boolean[] {true, false, false}, fc.calls.get(0));
    }

    /** The trace-level weight gradients agree with central differences of the seeded output. */
    @Test
    void weightGradientsThroughTheGraphMatchFiniteDifferences() {
        Tensor x = GradCheck.random(rnd, 2, 2, 4, 4);
        Trace t = Executor.forward(graph, x);
        Tensor seed = GradCheck.random(rnd, 2, 4);
        List<String> names = List.of("conv.w", "conv.b", "fc.w", "fc.b");
        Map<String, Tensor> g = t.backward(Map.of("y", seed), names);
        for (String name : names) {
            float[] w = graph.constants().get(name).data();
            for (int i = 0; i < w.length; i += Math.max(1, w.length / 7)) {
                float keep = w[i];
                double h = 1e-2;
                w[i] = (float) (keep + h);
                double plus = dot(Executor.forward(graph, x).output(), seed);
                w[i] = (float) (keep - h);
                double minus = dot(Executor.forward(graph, x).output(), seed);
                w[i] = keep;
                double numeric = (plus - minus) / (2 * h);
                assertEquals(numeric, g.get(name).data()[i], 2e-2 * Math.max(1, Math.abs(numeric)), name + "[" + i + "]");
            }
        }
        assertFalse(conv.calls.isEmpty());
        assertTrue(conv.calls.get(0)[1] && conv.calls.get(0)[2] && !conv.calls.get(0)[0]);
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += (double) a.data()[i] * b.data()[i];
        }
        return s;
    }
}
