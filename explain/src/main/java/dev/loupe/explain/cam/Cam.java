package dev.loupe.explain.cam;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Models;
import dev.loupe.explain.ResolvedTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The original class activation map (Zhou et al., CVPR 2016) for models that end in
 * {@code GlobalAveragePool → (Flatten | Reshape | Squeeze)* → Gemm or MatMul (+ bias)}:
 * {@code CAM_c = relu(Σ_k W[c, k] · A_k)} where {@code A} is the input of the global pooling and
 * {@code W} the linear layer's constant weight. Shape [N, 1, h, w] at the layer's resolution. The
 * bias is constant over space and does not enter. The map is rectified like Grad-CAM's so the two
 * are comparable: on such a model Grad-CAM's channel weights are {@code W[c, k] / (h·w)} and the two
 * maps agree up to the factor {@code h·w}. For a contrast P vs Q the weights are {@code W[P] − W[Q]}.
 *
 * <p>The weights are read from the model's constant weight tensor by applying the node's own op to
 * an identity matrix, which yields {@code alpha · W'} exactly as the op computes it: Gemm's
 * {@code transB} (and {@code alpha}) are respected without a second reading of the attributes.
 * No backward pass is needed.
 */
public final class Cam {
    /** Nodes that only reshape or pass through between the pooling and the linear layer. */
    private static final Set<String> RESHAPES = Set.of("Flatten", "Reshape", "Squeeze", "Identity", "Dropout");
    private static final String SHAPE = "CAM needs the model to end in GlobalAveragePool → (Flatten/Reshape) → "
            + "one Gemm or MatMul with a constant weight (optionally + bias)";

    /**
     * The head CAM reads.
     *
     * @param layer the tensor that is globally pooled (the CAM layer)
     * @param linear the name of the Gemm/MatMul node
     * @param weights the class weights, [classes][channels]
     */
    public record Head(String layer, String linear, float[][] weights) {
    }

    private Cam() {
    }

    /**
     * Finds the GAP + linear head of the trace's model.
     *
     * @throws IllegalArgumentException if the model does not have that structure, naming what it found
     */
    public static Head head(Trace trace) {
        Graph g = trace.graph();
        List<String> path = new ArrayList<>();
        String t = Models.outputName(g);
        Node node = producer(g, t);
        while (node != null && (node.type().equals("Identity") || node.type().equals("Dropout"))) {
            path.add(describe(node));
            t = node.inputs().get(0);
            node = producer(g, t);
        }
        if (node != null && node.type().equals("Add")) {
            path.add(describe(node));
            String other = null;
            for (String in : node.inputs()) {
                if (isConstant(g, in)) {
                    continue;
                }
                if (other != null) {
                    throw mismatch(path, "Add '" + node.name() + "' adds two activations, not a bias");
                }
                other = in;
            }
            if (other == null) {
                throw mismatch(path, "Add '" + node.name() + "' has only constant inputs");
            }
            t = other;
            node = producer(g, t);
        }
        if (node == null || !(node.type().equals("Gemm") || node.type().equals("MatMul"))) {
            throw mismatch(path, node == null ? "the output '" + t + "' is not computed by a node"
                    : "the output comes from " + node.type() + " '" + node.name() + "', not from a Gemm or MatMul");
        }
        path.add(describe(node));
        Node linear = node;
        if (linear.inputs().size() < 2 || !isConstant(g, linear.inputs().get(1))) {
            throw mismatch(path, linear.type() + " '" + linear.name() + "' does not multiply by a constant weight");
        }
        String features = linear.inputs().get(0);
        t = features;
        node = producer(g, t);
        while (node != null && RESHAPES.contains(node.type())) {
            path.add(describe(node));
            t = node.inputs().get(0);
            node = producer(g, t);
        }
        boolean gap = node != null && (node.type().equals("GlobalAveragePool") || node.type().equals("ReduceMean"));
        if (!gap) {
            throw mismatch(path, "the linear layer's input comes from " + (node == null ? "the model input '" + t + "'"
                    : node.type() + " '" + node.name() + "'") + ", not from a GlobalAveragePool");
        }
        path.add(describe(node));
        String layer = node.inputs().get(0);
        Tensor a = trace.get(layer);
        Tensor pooled = trace.get(t);
        if (a.rank() != 4 || pooled.size() != a.dim(0) * a.dim(1)) {
            throw mismatch(path, node.type() + " '" + node.name() + "' maps " + Tensor.shapeString(a.shape()) + " to "
                    + Tensor.shapeString(pooled.shape()) + ", not [N, C, h, w] to one value per channel");
        }
        Tensor flat = trace.get(features);
        if (flat.rank() != 2 || flat.dim(1) != a.dim(1)) {
            throw mismatch(path, "the linear layer reads " + Tensor.shapeString(flat.shape()) + ", not the "
                    + a.dim(1) + " pooled channels as [N, " + a.dim(1) + "]");
        }
        return new Head(layer, linear.name(), weights(linear, trace.get(linear.inputs().get(1)), a.dim(1)));
    }

    /** {@code alpha · W'} as [classes][channels], computed by the node's op on an identity input. */
    private static float[][] weights(Node linear, Tensor b, int channels) {
        Tensor eye = Tensor.zeros(channels, channels);
        for (int i = 0; i < channels; i++) {
            eye.data()[i * channels + i] = 1f;
        }
        Tensor[] args = linear.type().equals("Gemm") ? new Tensor[] {eye, b, null} : new Tensor[] {eye, b};
        Tensor out = linear.op().forward(args, new Saved())[0]; // [channels, classes]
        int classes = out.dim(1);
        float[][] w = new float[classes][channels];
        for (int k = 0; k < channels; k++) {
            for (int c = 0; c < classes; c++) {
                w[c][k] = out.data()[k * classes + c];
            }
        }
        return w;
    }

    /** The CAM of each item's target at the head's layer, [N, 1, h, w]. */
    public static Tensor compute(Trace trace, Head head, ResolvedTarget target) {
        Tensor a = trace.get(head.layer());
        int n = a.dim(0);
        int k = a.dim(1);
        int classes = head.weights().length;
        double[][] w = new double[n][k];
        for (int b = 0; b < n; b++) {
            int c = target.classOf(b);
            check(c, classes);
            for (int ch = 0; ch < k; ch++) {
                w[b][ch] = head.weights()[c][ch];
                if (target.contrast() >= 0) {
                    check(target.contrast(), classes);
                    w[b][ch] -= head.weights()[target.contrast()][ch];
                }
            }
        }
        return GradCam.combine(a, w);
    }

    private static void check(int c, int classes) {
        if (c >= classes) {
            throw new IllegalArgumentException("class " + c + " is beyond the linear layer's " + classes + " outputs");
        }
    }

    private static Node producer(Graph g, String tensor) {
        int p = g.producerIndex(tensor);
        return p < 0 ? null : g.nodes().get(p);
    }

    private static boolean isConstant(Graph g, String name) {
        if (g.constants().containsKey(name)) {
            return true;
        }
        Node p = producer(g, name);
        return p != null && p.type().equals("Constant");
    }

    private static String describe(Node n) {
        return n.type() + " '" + n.name() + "'";
    }

    private static IllegalArgumentException mismatch(List<String> path, String problem) {
        String seen = path.isEmpty() ? "" : "; from the output back the model has " + String.join(" ← ", path);
        return new IllegalArgumentException(SHAPE + ", but " + problem + seen
                + ". Use gradcam, which works at any layer of any model.");
    }
}
