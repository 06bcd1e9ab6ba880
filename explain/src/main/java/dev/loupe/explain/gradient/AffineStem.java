package dev.loupe.explain.gradient;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.RuleComposite;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.ValueInfo;
import dev.loupe.explain.Models;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The affine stem of a model: the chain of nodes from the image input up to the first op that is
 * not affine per item ({@link dev.loupe.engine.Op#isAffinePerItem}), typically the first
 * convolution with its batch norm, before the first ReLU.
 *
 * <p>The stem's Jacobian does not depend on the image. A method that needs only a weighted sum of
 * input gradients over many copies of one image (SmoothGrad, integrated gradients) can therefore
 * sum the gradients where the stem ends and take that sum through the stem's backward once, at
 * batch 1, instead of once per copy. For ResNet-18 this skips conv1's input gradient, a 7x7 layer
 * with a 7 MB column matrix per image, in every copy but one. The result equals the per-copy sum
 * up to float rounding: the same products, added in another order.
 *
 * <p>The forward passes still run through the stem for every copy. Its outputs are not
 * interpolated or shifted instead: that would move them by rounding, and a ReLU input within
 * rounding of zero would flip and change the gradient of a whole receptive field.
 */
final class AffineStem {
    private static final Map<Graph, Optional<AffineStem>> CACHE = new WeakHashMap<>();
    /** Below this many floats a weighted sum stays on the calling thread. */
    private static final int PARALLEL_FLOATS = 1 << 16;

    private final Graph stem;
    private final String input;
    private final String boundary;

    private AffineStem(Graph stem, String input, String boundary) {
        this.stem = stem;
        this.input = input;
        this.boundary = boundary;
    }

    /**
     * The stem of {@code graph} (a graph with one input), if its input feeds a chain of at least one
     * per-item affine node: each reads the previous value as its first input and constants
     * otherwise, and is that value's only reader. The chain also ends at a value the graph outputs.
     */
    static synchronized Optional<AffineStem> of(Graph graph) {
        return CACHE.computeIfAbsent(graph, AffineStem::find);
    }

    private static Optional<AffineStem> find(Graph graph) {
        String in = Models.inputName(graph);
        Set<String> outputs = new HashSet<>();
        for (ValueInfo o : graph.outputs()) {
            outputs.add(o.name());
        }
        List<Node> nodes = graph.nodes();
        Set<Integer> chain = new HashSet<>();
        String value = in;
        while (!outputs.contains(value)) {
            int reader = -1;
            int reads = 0;
            for (int i = 0; i < nodes.size(); i++) {
                for (String s : nodes.get(i).inputs()) {
                    if (s.equals(value)) {
                        reads++;
                        reader = i;
                    }
                }
            }
            if (reads != 1 || !affineLink(graph, nodes.get(reader), value)) {
                break;
            }
            chain.add(reader);
            value = nodes.get(reader).outputs().get(0);
        }
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        List<Node> stemNodes = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (chain.contains(i)) {
                stemNodes.add(nodes.get(i));
            }
        }
        Graph stem = new Graph(stemNodes, graph.constants(), graph.inputs(), List.of(new ValueInfo(value, null, null)));
        return Optional.of(new AffineStem(stem, in, value));
    }

    private static boolean affineLink(Graph graph, Node node, String value) {
        if (!node.op().isAffinePerItem() || node.outputs().size() != 1 || node.outputs().get(0).isEmpty()
                || !node.inputs().get(0).equals(value)) {
            return false;
        }
        for (int k = 1; k < node.inputs().size(); k++) {
            String s = node.inputs().get(k);
            if (!s.isEmpty() && !graph.constants().containsKey(s)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the stem's backward is its plain gradient under {@code composite} and under whatever
     * is bound on {@code graph} now: a rule on a stem node would change what its backward computes,
     * and the stem's own graph would not see a binding on {@code graph}.
     */
    boolean plainUnder(Graph graph, RuleComposite composite) {
        for (Node n : stem.nodes()) {
            if (composite.ruleFor(n) != null || graph.ruleFor(n) != null) {
                return false;
            }
        }
        return true;
    }

    /** The stem's nodes, in order. */
    List<Node> nodes() {
        return stem.nodes();
    }

    /** The value where the stem ends. */
    String boundary() {
        return boundary;
    }

    /**
     * The input gradient of one item whose gradient at the boundary is {@code boundaryGradient}
     * ({@code [1, ...]}): one backward pass through the stem. {@code item} ({@code [1, C, H, W]})
     * only sets the shapes, since the stem's backward does not read its forward values. Returns a
     * new array; neither argument is modified.
     */
    Tensor inputGradient(Tensor item, Tensor boundaryGradient) {
        try (Buffers.Scope scope = Buffers.recycling()) {
            Trace t = Executor.forward(stem, item);
            Tensor g = t.backward(boundary, boundaryGradient, input);
            Tensor copy = new Tensor(item.shape(), g.data().clone());
            scope.releaseAll();
            return copy;
        }
    }

    /**
     * {@code acc[i] += Σ_j weight(j) · g[j · size + i]} over the {@code k} items of {@code g}, in
     * double, with {@code weight(j) = weights[w0 + j]} or 1 when {@code weights} is null. Each
     * element adds its items in order, so the result does not depend on the thread count.
     * acc modified; g and weights not modified.
     */
    static void accumulate(float[] g, int k, double[] weights, int w0, double[] acc) {
        int size = acc.length;
        Parallel.RangeBody body = (from, to) -> {
            for (int j = 0; j < k; j++) {
                double w = weights == null ? 1 : weights[w0 + j];
                for (int i = from, at = j * size + from; i < to; i++, at++) {
                    acc[i] += w * g[at];
                }
            }
        };
        if ((long) size * k < PARALLEL_FLOATS) {
            body.run(0, size);
        } else {
            Parallel.forRange(size, 1 << 12, body);
        }
    }

    /** {@code [1, ...]} shaped like one item of a batch whose shape is {@code batchShape}. */
    static int[] itemShape(int[] batchShape) {
        int[] s = batchShape.clone();
        s[0] = 1;
        return s;
    }

    /** {@code (float) (acc[i] / divisor)}, in a new array. */
    static float[] divided(double[] acc, double divisor) {
        float[] out = new float[acc.length];
        for (int i = 0; i < acc.length; i++) {
            out[i] = (float) (acc[i] / divisor);
        }
        return out;
    }
}
