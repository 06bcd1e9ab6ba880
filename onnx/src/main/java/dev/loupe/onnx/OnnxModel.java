package dev.loupe.onnx;

import dev.loupe.engine.Graph;
import dev.loupe.engine.ValueInfo;
import java.util.List;
import java.util.Map;

/**
 * A loaded ONNX model: the engine graph plus what the file says about itself.
 *
 * @param graph the runnable graph (constants folded, unused weights dropped)
 * @param irVersion the ONNX file-format version
 * @param opsetVersion the version of the standard (ai.onnx) operator set the nodes follow
 * @param producerName the exporting tool, e.g. {@code pytorch}; empty when not recorded
 * @param producerVersion the exporting tool's version; empty when not recorded
 * @param graphName the graph's name in the file; may be empty
 * @param metadata the model's free-form key/value metadata
 * @param foldedNodes how many nodes were evaluated once at load time (Constant nodes included)
 */
public record OnnxModel(Graph graph, long irVersion, int opsetVersion, String producerName,
        String producerVersion, String graphName, Map<String, String> metadata, int foldedNodes) {
    public OnnxModel {
        metadata = Map.copyOf(metadata);
    }

    public List<ValueInfo> inputs() {
        return graph.inputs();
    }

    public List<ValueInfo> outputs() {
        return graph.outputs();
    }
}
