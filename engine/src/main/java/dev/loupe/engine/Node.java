package dev.loupe.engine;

import java.util.List;

/** One op in a graph, with the names of the tensors it reads and writes ("" for an absent optional input). */
public record Node(String name, Op op, List<String> inputs, List<String> outputs) {
    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public String type() {
        return op.type();
    }

    @Override
    public String toString() {
        return type() + " '" + name + "' " + inputs + " -> " + outputs;
    }
}
