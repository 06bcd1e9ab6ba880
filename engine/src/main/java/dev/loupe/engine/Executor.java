package dev.loupe.engine;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Runs graphs forward; the returned {@link Trace} runs them backward as often as needed. */
public final class Executor {
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

    /** Runs the graph on named inputs and keeps every activation for backward passes. */
    public static Trace forward(Graph graph, Map<String, Tensor> feeds) {
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
        Saved[] saved = new Saved[graph.nodes().size()];
        Tensor[] args = new Tensor[0];
        for (int i = 0; i < graph.nodes().size(); i++) {
            Node node = graph.nodes().get(i);
            if (args.length != node.inputs().size()) {
                args = new Tensor[node.inputs().size()];
            }
            for (int k = 0; k < args.length; k++) {
                String name = node.inputs().get(k);
                args[k] = name.isEmpty() ? null : values.get(name);
            }
            Saved s = new Saved();
            Tensor[] outs;
            try {
                outs = node.op().forward(args.clone(), s);
            } catch (ShapeMismatchException e) {
                throw new ShapeMismatchException("node '" + node.name() + "' (" + node.type() + "): " + e.getMessage()
                        + inputShapes(node, args));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("node '" + node.name() + "' (" + node.type() + "): " + e.getMessage()
                        + inputShapes(node, args), e);
            }
            saved[i] = s;
            for (int k = 0; k < node.outputs().size(); k++) {
                String out = node.outputs().get(k);
                if (!out.isEmpty() && k < outs.length) {
                    values.put(out, outs[k]);
                }
            }
        }
        return new Trace(graph, values, saved);
    }

    private static String inputShapes(Node node, Tensor[] args) {
        Map<String, String> shapes = new LinkedHashMap<>();
        for (int k = 0; k < args.length; k++) {
            shapes.put(node.inputs().get(k), args[k] == null ? "absent" : Arrays.toString(args[k].shape()));
        }
        return " (inputs: " + shapes + ")";
    }
}
