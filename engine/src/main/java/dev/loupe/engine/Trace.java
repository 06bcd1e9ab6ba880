package dev.loupe.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The record of one forward pass: every activation and what each node saved. One trace serves any
 * number of backward passes, with any seeds, targets and rule bindings.
 */
public final class Trace {
    private final Graph graph;
    private final Map<String, Tensor> values;
    private final Saved[] saved;

    Trace(Graph graph, Map<String, Tensor> values, Saved[] saved) {
        this.graph = graph;
        this.values = values;
        this.saved = saved;
    }

    public Graph graph() {
        return graph;
    }

    /** The value of any named tensor: an input, a constant or an activation ("tap"). */
    public Tensor get(String name) {
        Tensor t = values.get(name);
        if (t == null) {
            throw new IllegalArgumentException(unknownTensor(graph, name));
        }
        return t;
    }

    /** The first graph output, for single-output classifiers. */
    public Tensor output() {
        return get(graph.outputs().get(0).name());
    }

    static String unknownTensor(Graph graph, String name) {
        List<String> names = graph.activationNames();
        String near = names.stream().filter(n -> n.toLowerCase().contains(name.toLowerCase())).limit(8)
                .reduce((a, b) -> a + ", " + b).orElse("");
        return "no tensor named '" + name + "' in the model" + (near.isEmpty() ? "" : "; similar names: " + near)
                + "; `loupe info --model M` lists all " + names.size() + " tensors";
    }

    /**
     * Runs backward from {@code seeds} (a gradient for each named tensor, shaped like it) to the
     * tensors named in {@code wrt}, applying the graph's bound rules. Only nodes on a path from a
     * {@code wrt} tensor to a seed are visited, and only input gradients are computed.
     *
     * @return the gradient for each {@code wrt} name (zeros where no path exists)
     */
    public Map<String, Tensor> backward(Map<String, Tensor> seeds, Collection<String> wrt) {
        List<Node> nodes = graph.nodes();
        for (Map.Entry<String, Tensor> seed : seeds.entrySet()) {
            Tensor v = get(seed.getKey());
            if (!v.sameShape(seed.getValue())) {
                throw new ShapeMismatchException("the gradient seeded at '" + seed.getKey() + "' has shape "
                        + Tensor.shapeString(seed.getValue().shape()) + " but the tensor has " + Tensor.shapeString(v.shape()));
            }
        }
        for (String w : wrt) {
            get(w);
        }
        // Tensors that depend on a wrt tensor through differentiable inputs.
        Set<String> dependsOnWrt = new HashSet<>(wrt);
        for (Node n : nodes) {
            boolean reached = false;
            for (int k = 0; k < n.inputs().size() && !reached; k++) {
                reached = n.op().isDifferentiable(k) && dependsOnWrt.contains(n.inputs().get(k));
            }
            if (reached) {
                dependsOnWrt.addAll(n.outputs());
            }
        }
        // Tensors whose gradient reaches a seed.
        Set<String> feedsSeed = new HashSet<>(seeds.keySet());
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(feedsSeed::contains)) {
                feedsSeed.addAll(n.inputs());
            }
        }
        Map<String, Tensor> grads = new HashMap<>();
        Set<String> owned = new HashSet<>();
        // Arrays a dead gradient must not give back: the activations (a rule could pass one on).
        // Without an open recycling scope nothing is given back, so nothing needs collecting.
        Set<float[]> kept = null;
        if (Buffers.recyclingOpen()) {
            kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Tensor v : values.values()) {
                kept.add(v.data());
            }
        }
        for (Map.Entry<String, Tensor> seed : seeds.entrySet()) {
            accumulate(grads, owned, seed.getKey(), seed.getValue());
        }
        Set<String> wrtSet = new HashSet<>(wrt);
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            boolean[] need = new boolean[n.inputs().size()];
            boolean any = false;
            for (int k = 0; k < need.length; k++) {
                String in = n.inputs().get(k);
                need[k] = !in.isEmpty() && n.op().isDifferentiable(k) && dependsOnWrt.contains(in) && feedsSeed.contains(in);
                any |= need[k];
            }
            if (!any) {
                continue;
            }
            Tensor[] gOut = new Tensor[n.outputs().size()];
            boolean anyGrad = false;
            for (int k = 0; k < gOut.length; k++) {
                gOut[k] = grads.get(n.outputs().get(k));
                anyGrad |= gOut[k] != null;
            }
            if (!anyGrad) {
                continue;
            }
            BackwardRule rule = graph.ruleFor(n);
            long t0 = NodeTimes.start();
            Tensor[] gIn = rule != null ? rule.backward(n, saved[i], gOut, need) : n.op().backward(saved[i], gOut, need);
            NodeTimes.backward(n, t0);
            for (int k = 0; k < need.length; k++) {
                if (need[k] && gIn[k] != null) {
                    accumulate(grads, owned, n.inputs().get(k), gIn[k]);
                }
            }
            // Free gradients no longer needed: those of this node's outputs, unless requested.
            for (String out : n.outputs()) {
                if (!wrtSet.contains(out)) {
                    release(grads.remove(out), grads, seeds, kept);
                }
            }
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (String w : wrt) {
            Tensor g = grads.get(w);
            result.put(w, g != null ? g : Tensor.zeros(get(w).shape()));
        }
        return result;
    }

    /**
     * Gives a dead gradient's array back to the recycling pool (if one is open and made it), unless
     * a live gradient, a seed or an activation ({@code kept}; null when no pool is open) shares it.
     */
    private static void release(Tensor dead, Map<String, Tensor> grads, Map<String, Tensor> seeds, Set<float[]> kept) {
        if (dead == null || kept == null || kept.contains(dead.data())) {
            return;
        }
        for (Tensor g : grads.values()) {
            if (g.data() == dead.data()) {
                return;
            }
        }
        for (Tensor g : seeds.values()) {
            if (g.data() == dead.data()) {
                return;
            }
        }
        Buffers.release(dead.data());
    }

    private static void accumulate(Map<String, Tensor> grads, Set<String> owned, String name, Tensor g) {
        Tensor prev = grads.get(name);
        if (prev == null) {
            grads.put(name, g);
            return;
        }
        if (!prev.sameShape(g)) {
            throw new ShapeMismatchException("gradients for '" + name + "' disagree in shape: "
                    + Tensor.shapeString(prev.shape()) + " vs " + Tensor.shapeString(g.shape()));
        }
        float[] a = g.data();
        if (owned.add(name)) {
            // prev may be shared (an Add hands the same gradient to both inputs): the sum goes to
            // an array of our own.
            float[] p = prev.data();
            float[] s = Buffers.output(p.length);
            add(p, a, s);
            grads.put(name, new Tensor(prev.shape(), s));
        } else {
            float[] s = prev.data();
            add(s, a, s);
        }
    }

    /**
     * {@code s = p + a}, in parallel: a residual network sums a gradient at every block, 8 MB at
     * ten images for the first stage, and that ran on one thread while the other waited. p and a
     * not modified (unless one is s); s modified.
     */
    private static void add(float[] p, float[] a, float[] s) {
        Parallel.forRange(s.length, 1 << 15, (from, to) -> {
            for (int i = from; i < to; i++) {
                s[i] = p[i] + a[i];
            }
        });
    }

    /** Backward from one tensor to one tensor. */
    public Tensor backward(String from, Tensor seed, String to) {
        return backward(Map.of(from, seed), List.of(to)).get(to);
    }

    /**
     * The gradient of {@code output[b, classes[b]]} for each batch item b with respect to
     * {@code wrt}: the usual seed for explaining a classifier's score.
     */
    public Tensor gradientOfClass(String output, int[] classes, String wrt) {
        return backward(output, oneHot(get(output), classes), wrt);
    }

    /** A seed shaped like a [N, C] (or [N, C, ...]) tensor with 1 at [b, classes[b], 0...] for each b. */
    public static Tensor oneHot(Tensor like, int[] classes) {
        int n = like.dim(0);
        if (classes.length != n) {
            throw new IllegalArgumentException(classes.length + " targets for a batch of " + n);
        }
        int c = like.dim(1);
        int inner = like.size() / (n * c);
        Tensor seed = Tensor.zeros(like.shape());
        for (int b = 0; b < n; b++) {
            if (classes[b] < 0 || classes[b] >= c) {
                throw new IllegalArgumentException("class " + classes[b] + " is out of range: the model has " + c + " classes (0.." + (c - 1) + ")");
            }
            for (int j = 0; j < inner; j++) {
                seed.data()[(b * c + classes[b]) * inner + j] = 1f;
            }
        }
        return seed;
    }

    /** Names of the activations kept, in execution order. */
    public List<String> names() {
        return new ArrayList<>(graph.activationNames());
    }
}
