package dev.loupe.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Op;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.testing.GradCheck;
import dev.loupe.engine.testing.GraphGradCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whole graphs of tensor ops through the executor and the trace's backward pass. */
class TensorGraphTest {
    private final Random rnd = new Random(5);
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> constants = new LinkedHashMap<>();

    private void node(Op op, List<String> in, String... out) {
        nodes.add(new Node("n" + nodes.size(), op, in, List.of(out)));
    }

    /**
     * The dynamic-flatten idiom of exported classifiers, on an activation that also feeds a
     * residual path: x -> Mul/Add per channel -> Sigmoid = a; Shape(a) -> Gather 0 -> Unsqueeze
     * -> Concat with [-1] -> Reshape(a) = flat; out = Softmax(flat * w + Reshape(x)).
     */
    private Graph classifierHead() {
        constants.put("scale", GradCheck.random(rnd, 3, 1, 1));
        constants.put("bias", GradCheck.random(rnd, 3, 1, 1));
        constants.put("zero", Tensor.scalar(0));
        constants.put("axes0", OpRun.ints(0));
        constants.put("minus1", OpRun.ints(-1));
        constants.put("w", GradCheck.random(rnd, 48));
        node(new Binary(Binary.Kind.MUL), List.of("x", "scale"), "m");
        node(new Binary(Binary.Kind.ADD), List.of("m", "bias"), "h");
        node(new Sigmoid(), List.of("h"), "a");
        node(new Shape(), List.of("a"), "shape");
        node(new Gather(0), List.of("shape", "zero"), "batch");
        node(new Unsqueeze(null), List.of("batch", "axes0"), "batch1");
        node(new Concat(0), List.of("batch1", "minus1"), "target");
        node(new Reshape(), List.of("a", "target"), "flat");
        node(new Binary(Binary.Kind.MUL), List.of("flat", "w"), "weighted");
        node(new Reshape(), List.of("x", "target"), "xflat");
        node(new Binary(Binary.Kind.ADD), List.of("weighted", "xflat"), "logits");
        node(new Softmax(-1), List.of("logits"), "probs");
        return new Graph(nodes, constants, List.of(new ValueInfo("x", new int[] {-1, 3, 4, 4}, null)),
                List.of(ValueInfo.of("probs"), ValueInfo.of("logits")));
    }

    @Test
    void classifierHeadForwardShapes() {
        Graph g = classifierHead();
        Trace t = Executor.forward(g, GradCheck.random(rnd, 2, 3, 4, 4));
        assertArrayEquals(new float[] {2, 3, 4, 4}, t.get("shape").data());
        assertArrayEquals(new float[] {2, -1}, t.get("target").data());
        assertArrayEquals(new int[] {2, 48}, t.get("flat").shape());
        assertArrayEquals(new int[] {2, 48}, t.output().shape());
    }

    @Test
    void classifierHeadGradientMatchesFiniteDifferences() {
        Graph g = classifierHead();
        // The graph's first output (Softmax probabilities) against the input.
        GraphGradCheck.check(g, GradCheck.random(rnd, 2, 3, 4, 4));
        // The batch size is read at run time, so another batch size works with the same graph.
        GraphGradCheck.check(g, Map.of("x", GradCheck.random(rnd, 1, 3, 4, 4)), "logits", List.of("x"),
                GraphGradCheck.Options.DEFAULT.withMaxProbes(20));
    }

    @Test
    void shapeBranchCarriesNoGradient() {
        Graph g = classifierHead();
        Trace t = Executor.forward(g, GradCheck.random(rnd, 2, 3, 4, 4));
        Tensor grad = t.backward("target", Tensor.zeros(2), "x");
        for (float v : grad.data()) {
            assertTrue(v == 0f);
        }
    }

    @Test
    void slicePadTransposeConcatGraph() {
        // A multi-branch graph: crop and pad the same activation, join on channels, permute, reduce.
        constants.put("starts", OpRun.ints(1, 0));
        constants.put("ends", OpRun.ints(Long.MAX_VALUE, -1));
        constants.put("axes", OpRun.ints(2, 3));
        constants.put("pads", OpRun.ints(0, 0, 0, 1, 0, 0, 1, 0));
        constants.put("redaxes", OpRun.ints(1));
        node(new Tanh(), List.of("x"), "t");
        node(new Slice(), List.of("t", "starts", "ends", "axes"), "crop");
        node(new Pad(Pad.Mode.CONSTANT), List.of("crop", "pads"), "padded");
        node(new Concat(1), List.of("padded", "t"), "joined");
        node(new Transpose(new int[] {0, 2, 3, 1}), List.of("joined"), "nhwc");
        node(new Binary(Binary.Kind.MUL), List.of("nhwc", "nhwc"), "sq");
        node(new Reduce(Reduce.Kind.MEAN, null, false, false), List.of("sq", "redaxes"), "out");
        Graph g = new Graph(nodes, constants, List.of(ValueInfo.of("x", 2, 2, 3, 3)), List.of(ValueInfo.of("out")));
        GraphGradCheck.check(g, GradCheck.random(rnd, 2, 2, 3, 3));
    }

    @Test
    void graphGradCheckCatchesWrongBackward() {
        // An op with a deliberately wrong backward (gradient doubled) must be reported.
        Op broken = new Op() {
            @Override
            public String type() {
                return "Broken";
            }

            @Override
            public Tensor[] forward(Tensor[] inputs, dev.loupe.engine.Saved saved) {
                return new Tensor[] {inputs[0]};
            }

            @Override
            public Tensor[] backward(dev.loupe.engine.Saved saved, Tensor[] g, boolean[] need) {
                return new Tensor[] {Binary.apply(Binary.Kind.MUL, g[0], Tensor.scalar(2))};
            }
        };
        node(broken, List.of("x"), "y");
        Graph g = new Graph(nodes, constants, List.of(ValueInfo.of("x", 3)), List.of(ValueInfo.of("y")));
        assertThrows(AssertionError.class, () -> GraphGradCheck.check(g, GradCheck.random(rnd, 3)));
    }
}
