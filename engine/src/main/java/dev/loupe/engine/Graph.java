package dev.loupe.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A computation graph: nodes in topological order, the constants they read (weights), and the
 * declared inputs and outputs. Tensor names are kept exactly as the model file spells them.
 *
 * <p>A graph is immutable apart from its rule bindings ({@link #bindRules}), which apply to every
 * backward pass run on it while they are open.
 */
public final class Graph {
    private final List<Node> nodes;
    private final Map<String, Tensor> constants;
    private final List<ValueInfo> inputs;
    private final List<ValueInfo> outputs;
    private final Map<String, Integer> producer = new HashMap<>();
    private final List<RuleBinding> bindings = new CopyOnWriteArrayList<>();

    public Graph(List<Node> nodes, Map<String, Tensor> constants, List<ValueInfo> inputs, List<ValueInfo> outputs) {
        this.nodes = List.copyOf(nodes);
        this.constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        java.util.Set<String> known = new java.util.HashSet<>(this.constants.keySet());
        for (ValueInfo in : this.inputs) {
            known.add(in.name());
        }
        for (int i = 0; i < this.nodes.size(); i++) {
            Node n = this.nodes.get(i);
            for (String in : n.inputs()) {
                if (!in.isEmpty() && !known.contains(in)) {
                    throw new IllegalArgumentException("node " + n.name() + " (" + n.type() + ") reads '" + in
                            + "', which no earlier node, input or constant provides: the graph is not in topological order or is incomplete");
                }
            }
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    if (producer.put(out, i) != null) {
                        throw new IllegalArgumentException("tensor '" + out + "' is produced twice (second time by node " + n.name() + ")");
                    }
                    known.add(out);
                }
            }
        }
        for (ValueInfo out : this.outputs) {
            if (!known.contains(out.name())) {
                throw new IllegalArgumentException("graph output '" + out.name() + "' is not produced by any node");
            }
        }
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Map<String, Tensor> constants() {
        return constants;
    }

    public List<ValueInfo> inputs() {
        return inputs;
    }

    public List<ValueInfo> outputs() {
        return outputs;
    }

    /** The index of the node producing {@code tensor}, or -1 for inputs, constants and unknown names. */
    public int producerIndex(String tensor) {
        return producer.getOrDefault(tensor, -1);
    }

    /** Whether {@code name} is a tensor of this graph: an input, a constant or a node output. */
    public boolean hasTensor(String name) {
        return producer.containsKey(name) || constants.containsKey(name)
                || inputs.stream().anyMatch(v -> v.name().equals(name));
    }

    /** Every tensor a node produces, in execution order. */
    public List<String> activationNames() {
        List<String> names = new ArrayList<>();
        for (Node n : nodes) {
            for (String o : n.outputs()) {
                if (!o.isEmpty()) {
                    names.add(o);
                }
            }
        }
        return names;
    }

    /** Attaches rules for backward passes until the returned binding is closed. Later bindings win. */
    public RuleBinding bindRules(RuleComposite composite) {
        RuleBinding b = new RuleBinding(this, composite);
        bindings.add(b);
        return b;
    }

    void unbind(RuleBinding binding) {
        bindings.remove(binding);
    }

    /** The rule bound to {@code node} by the newest open binding that has one, else null. */
    public BackwardRule ruleFor(Node node) {
        Object[] snapshot = bindings.toArray();
        for (int i = snapshot.length - 1; i >= 0; i--) {
            BackwardRule r = ((RuleBinding) snapshot[i]).composite().ruleFor(node);
            if (r != null) {
                return r;
            }
        }
        return null;
    }
}
