package dev.loupe.explain.cam;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import java.util.List;
import java.util.Set;

/** Choosing the activation Grad-CAM looks at. */
public final class CamLayers {
    /** Ops that keep the spatial layout and only pool or normalise: the default layer looks past them. */
    private static final Set<String> TRAILING = Set.of("MaxPool", "AveragePool", "LRN", "Dropout", "Identity");

    private CamLayers() {
    }

    /**
     * The default Grad-CAM layer: the last 4-D activation with more than one spatial position, that
     * is, the last feature map before global pooling or flattening. If it is only a pooled or
     * normalised copy of an earlier map (MaxPool, AveragePool, LRN), the earlier map is taken, as
     * the Grad-CAM paper uses the last convolutional layer's rectified output.
     *
     * @throws IllegalArgumentException if the model has no spatial 4-D activation
     */
    public static String defaultLayer(Trace trace) {
        Graph graph = trace.graph();
        List<String> names = graph.activationNames();
        String best = null;
        for (String name : names) {
            if (isSpatial(trace.get(name))) {
                best = name;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("the model has no 4-D activation with spatial extent for Grad-CAM; pass layer=…");
        }
        while (true) {
            int p = graph.producerIndex(best);
            if (p < 0) {
                return best;
            }
            Node node = graph.nodes().get(p);
            if (!TRAILING.contains(node.type()) || node.inputs().isEmpty()) {
                return best;
            }
            String prev = node.inputs().get(0);
            if (graph.producerIndex(prev) < 0 || !isSpatial(trace.get(prev))) {
                return best;
            }
            best = prev;
        }
    }

    private static boolean isSpatial(Tensor t) {
        return t.rank() == 4 && t.dim(2) * t.dim(3) > 1;
    }
}
