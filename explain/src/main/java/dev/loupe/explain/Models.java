package dev.loupe.explain;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.ValueInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/** How explanation methods see a classifier graph: its single image input and its logits output. */
public final class Models {
    private static final Map<Graph, Graph> BATCHABLE = new WeakHashMap<>();

    private Models() {
    }

    /** The name of the (single) input. */
    public static String inputName(Graph graph) {
        if (graph.inputs().size() != 1) {
            throw new IllegalArgumentException("explanations need a model with one input; this one has "
                    + graph.inputs().size() + ": " + graph.inputs());
        }
        return graph.inputs().get(0).name();
    }

    /** The name of the first output, taken as the class scores. */
    public static String outputName(Graph graph) {
        return graph.outputs().get(0).name();
    }

    /**
     * The graph with its input's batch axis made dynamic, so that perturbed copies of an image can
     * be evaluated in one batch even when the file declares batch size 1. Same nodes and weights;
     * cached per graph. Rules must be bound on the graph that runs the trace ({@code trace.graph()}).
     */
    public static synchronized Graph batchable(Graph graph) {
        if (BATCHABLE.containsValue(graph)) {
            return graph;
        }
        return BATCHABLE.computeIfAbsent(graph, g -> {
            List<ValueInfo> inputs = new ArrayList<>();
            boolean changed = false;
            for (ValueInfo in : g.inputs()) {
                int[] s = in.shape();
                if (s != null && s.length > 0 && s[0] != -1) {
                    s = s.clone();
                    s[0] = -1;
                    changed = true;
                }
                inputs.add(new ValueInfo(in.name(), s, in.dimNames()));
            }
            return changed ? new Graph(g.nodes(), g.constants(), inputs, g.outputs()) : g;
        });
    }

    /** Runs {@code graph} forward on {@code input}. */
    public static Trace forward(Graph graph, Tensor input) {
        return Executor.forward(graph, input);
    }

    /**
     * Computes only the named tensors (no trace, no backward pass): skips the nodes they do not
     * need and frees every other activation after its last use. For work that only reads
     * outputs or one layer (perturbation scores, embeddings, patches).
     */
    public static Tensor evaluate(Graph graph, Tensor input, String name) {
        return Executor.evaluate(graph, input, java.util.List.of(name)).get(name);
    }

    /** The logits of {@code input}, by {@link #evaluate}. */
    public static Tensor logits(Graph graph, Tensor input) {
        return evaluate(graph, input, outputName(graph));
    }

    /** The logits of a trace. */
    public static Tensor logits(Trace trace) {
        return trace.get(outputName(trace.graph()));
    }
}
