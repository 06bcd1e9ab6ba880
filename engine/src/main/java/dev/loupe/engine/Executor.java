package dev.loupe.engine;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Runs graphs forward; the returned {@link Trace} runs them backward as often as needed. */
public final class Executor {
    private static final int PINNED = 1 << 30;

    /** {@code -Dloupe.fuse=false} runs every ReLU as its own node in evaluate too, for comparison. */
    private static final boolean FUSE = !"false".equals(System.getProperty("loupe.fuse"));

    private Executor() {
    }

    /** Runs the graph on one input: the graph must have exactly one input. */
    public static Trace forward(Graph graph, Tensor input) {
        if (graph.inputs().size() != 1) {
            throw new IllegalArgumentException("the model has " + graph.inputs().size() + " inputs "
                    + graph.inputs() + "; pass them by name");
        }
        return forward(graph, Map.of(graph.inputs().get(0).name(), input));
    }

    /**
     * Computes only the named tensors of a one-input graph: nodes they do not depend on are
     * skipped, and every intermediate tensor is released after its last use, so peak memory is
     * the widest cut of the graph rather than every activation. No backward pass is possible on
     * the result; use {@link #forward} for that.
     *
     * @return the wanted tensors by name, in the order asked
     */
    public static Map<String, Tensor> evaluate(Graph graph, Tensor input, Collection<String> wanted) {
        if (graph.inputs().size() != 1) {
            throw new IllegalArgumentException("the model has " + graph.inputs().size() + " inputs "
                    + graph.inputs() + "; pass them by name");
        }
        Map<String, Tensor> values = feed(graph, Map.of(graph.inputs().get(0).name(), input));
        List<Node> nodes = graph.nodes();
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).outputs()) {
                producer.put(out, i);
            }
        }
        boolean[] needed = new boolean[nodes.size()];
        ArrayDeque<String> pending = new ArrayDeque<>();
        for (String name : wanted) {
            if (!producer.containsKey(name) && !values.containsKey(name)) {
                throw new IllegalArgumentException(Trace.unknownTensor(graph, name));
            }
            pending.add(name);
        }
        while (!pending.isEmpty()) {
            Integer p = producer.get(pending.poll());
            if (p != null && !needed[p]) {
                needed[p] = true;
                for (String in : nodes.get(p).inputs()) {
                    if (!in.isEmpty()) {
                        pending.add(in);
                    }
                }
            }
        }
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (needed[i]) {
                for (String in : nodes.get(i).inputs()) {
                    lastUse.put(in, i);
                }
            }
        }
        Set<String> keep = new HashSet<>(wanted);
        keep.addAll(graph.constants().keySet());
        keep.addAll(graph.inputs().stream().map(ValueInfo::name).toList());
        // Arrays of intermediate tensors, with how many live values share each (views such as
        // Reshape share their input's array): an array goes back to the pool when none is left.
        Map<float[], Integer> uses = new IdentityHashMap<>();
        for (Tensor t : values.values()) {
            // Constants and inputs never die here, even if a view of them does.
            uses.put(t.data(), PINNED);
        }
        int[] reluAfter = fusableRelus(nodes, needed, keep);
        boolean[] fused = new boolean[nodes.size()];
        try (Buffers.Scope scope = Buffers.recycling()) {
            for (int i = 0; i < nodes.size(); i++) {
                if (!needed[i] || fused[i]) {
                    continue;
                }
                Node node = nodes.get(i);
                if (reluAfter[i] >= 0) {
                    // The ReLU is applied as this node writes its output, under the ReLU's name.
                    Node relu = nodes.get(reluAfter[i]);
                    fused[reluAfter[i]] = true;
                    Tensor y = runFused(node, values);
                    values.put(relu.outputs().get(0), y);
                    uses.merge(y.data(), 1, Integer::sum);
                } else {
                    run(node, values, new Saved());
                    for (String out : node.outputs()) {
                        Tensor t = out.isEmpty() ? null : values.get(out);
                        if (t != null) {
                            uses.merge(t.data(), 1, Integer::sum);
                        }
                    }
                }
                for (String in : node.inputs()) {
                    if (lastUse.get(in) == i && !keep.contains(in)) {
                        drop(values.remove(in), uses);
                    }
                }
            }
            Map<String, Tensor> result = new LinkedHashMap<>();
            for (String name : wanted) {
                result.put(name, values.get(name));
            }
            // Outputs nobody reads (a node's unused second output) die here too.
            for (Tensor t : result.values()) {
                uses.remove(t.data());
            }
            for (Map.Entry<String, Tensor> e : values.entrySet()) {
                if (!keep.contains(e.getKey())) {
                    drop(e.getValue(), uses);
                }
            }
            return result;
        }
    }

    /**
     * For each node, the index of a ReLU node it can apply itself ({@link FusesRelu}), or -1: the
     * ReLU must be the only reader of the node's single output, which is not in {@code keep}. Only
     * nodes with {@code needed[i]} count, as fusers and as readers. Always -1 under {@code -Dloupe.fuse=false}.
     */
    public static int[] fusableRelus(List<Node> nodes, boolean[] needed, Set<String> keep) {
        Map<String, Integer> readers = new HashMap<>();
        Map<String, Integer> reader = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (needed[i]) {
                for (String in : nodes.get(i).inputs()) {
                    readers.merge(in, 1, Integer::sum);
                    reader.put(in, i);
                }
            }
        }
        int[] after = new int[nodes.size()];
        Arrays.fill(after, -1);
        for (int i = 0; i < nodes.size() && FUSE; i++) {
            Node n = nodes.get(i);
            if (!needed[i] || !(n.op() instanceof FusesRelu) || n.outputs().size() != 1) {
                continue;
            }
            String out = n.outputs().get(0);
            if (keep.contains(out) || readers.getOrDefault(out, 0) != 1) {
                continue;
            }
            Node next = nodes.get(reader.get(out));
            if (next.type().equals("Relu") && next.inputs().equals(List.of(out)) && next.outputs().size() == 1) {
                after[i] = reader.get(out);
            }
        }
        return after;
    }

    private static Tensor runFused(Node node, Map<String, Tensor> values) {
        long t0 = NodeTimes.start();
        Tensor y = call(node, values, args -> new Tensor[] {((FusesRelu) node.op()).forwardWithRelu(args)})[0];
        NodeTimes.forward(node, t0);
        return y;
    }

    /** One live value fewer for t's array; the last one returns it to the recycling pool. */
    private static void drop(Tensor t, Map<float[], Integer> uses) {
        if (t == null) {
            return;
        }
        Integer n = uses.get(t.data());
        if (n == null) {
            return;
        }
        if (n == 1) {
            uses.remove(t.data());
            Buffers.release(t.data());
        } else {
            uses.put(t.data(), n - 1);
        }
    }

    /** Runs the graph on named inputs and keeps every activation for backward passes. */
    public static Trace forward(Graph graph, Map<String, Tensor> feeds) {
        Map<String, Tensor> values = feed(graph, feeds);
        Saved[] saved = new Saved[graph.nodes().size()];
        for (int i = 0; i < graph.nodes().size(); i++) {
            saved[i] = new Saved();
            run(graph.nodes().get(i), values, saved[i]);
        }
        return new Trace(graph, values, saved);
    }

    /** The constants and the checked inputs: the values a run starts from. */
    private static Map<String, Tensor> feed(Graph graph, Map<String, Tensor> feeds) {
        Map<String, Tensor> values = new HashMap<>(graph.constants());
        for (ValueInfo in : graph.inputs()) {
            Tensor t = feeds.get(in.name());
            if (t == null) {
                throw new IllegalArgumentException("no value given for model input '" + in.name() + "' " + in.shapeText()
                        + "; the inputs are " + graph.inputs().stream().map(ValueInfo::toString).collect(Collectors.joining(", ")));
            }
            if (!in.accepts(t.shape())) {
                throw new ShapeMismatchException("model input '" + in.name() + "' expects shape " + in.shapeText()
                        + " but was given " + Arrays.toString(t.shape())
                        + "; resize or crop the image to the model's size (for example with --preset) or pass a tensor of that shape");
            }
            values.put(in.name(), t);
        }
        for (String name : feeds.keySet()) {
            if (graph.inputs().stream().noneMatch(v -> v.name().equals(name))) {
                throw new IllegalArgumentException("'" + name + "' is not an input of the model; the inputs are "
                        + graph.inputs().stream().map(ValueInfo::name).collect(Collectors.joining(", ")));
            }
        }
        return values;
    }

    /** Runs one node on the values so far and adds its outputs to them. */
    private static void run(Node node, Map<String, Tensor> values, Saved s) {
        long t0 = NodeTimes.start();
        Tensor[] outs = call(node, values, args -> node.op().forward(args, s));
        NodeTimes.forward(node, t0);
        for (int k = 0; k < node.outputs().size(); k++) {
            String out = node.outputs().get(k);
            if (!out.isEmpty() && k < outs.length) {
                values.put(out, outs[k]);
            }
        }
    }

    /** Applies {@code op} to the node's inputs, naming the node and the input shapes in any error. */
    private static Tensor[] call(Node node, Map<String, Tensor> values, java.util.function.Function<Tensor[], Tensor[]> op) {
        Tensor[] args = new Tensor[node.inputs().size()];
        for (int k = 0; k < args.length; k++) {
            String name = node.inputs().get(k);
            args[k] = name.isEmpty() ? null : values.get(name);
        }
        try {
            return op.apply(args.clone());
        } catch (ShapeMismatchException e) {
            throw new ShapeMismatchException("node '" + node.name() + "' (" + node.type() + "): " + e.getMessage()
                    + inputShapes(node, args));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("node '" + node.name() + "' (" + node.type() + "): " + e.getMessage()
                    + inputShapes(node, args), e);
        }
    }

    private static String inputShapes(Node node, Tensor[] args) {
        Map<String, String> shapes = new LinkedHashMap<>();
        for (int k = 0; k < args.length; k++) {
            shapes.put(node.inputs().get(k), args[k] == null ? "absent" : Arrays.toString(args[k].shape()));
        }
        return " (inputs: " + shapes + ")";
    }
}
