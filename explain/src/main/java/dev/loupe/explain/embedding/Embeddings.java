package dev.loupe.explain.embedding;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.Models;
import dev.loupe.explain.Progress;
import dev.loupe.explain.data.Batch;
import dev.loupe.explain.data.Batches;
import dev.loupe.explain.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The representation a network gives whole images at one layer: by default the vector the final
 * classifier reads (the 4096-d fc7 of AlexNet, the 512-d pooled features of ResNet-18).
 */
public final class Embeddings {
    private Embeddings() {
    }

    /** How a 4-D activation becomes one vector per image. */
    public enum Pool {
        /** Every value, in C·H·W order. */
        FLATTEN,
        /** The mean of each channel (global average pooling). */
        AVERAGE,
        /** The maximum of each channel. */
        MAX
    }

    /**
     * The input of the model's final classifier layer: the data input of the last Gemm or MatMul in
     * the graph (the operand that is not a weight constant); for an all-convolutional classifier
     * (SqueezeNet), the input of the last Conv before the global pooling.
     *
     * @throws IllegalArgumentException when the model has no Gemm or MatMul
     */
    public static String defaultLayer(Graph graph) {
        List<Node> nodes = graph.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.type().equals("Gemm") || n.type().equals("MatMul")) {
                for (String in : n.inputs()) {
                    if (!in.isEmpty() && !graph.constants().containsKey(in)) {
                        return in;
                    }
                }
            }
        }
        // An all-convolutional classifier (SqueezeNet, NiN): a last Conv whose output reaches global pooling
        // through element-wise ops is the classifier; embed what it reads.
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.type().equals("GlobalAveragePool") || n.type().equals("GlobalMaxPool") || n.type().equals("ReduceMean")) {
                String t = n.inputs().get(0);
                while (graph.producerIndex(t) >= 0) {
                    Node p = nodes.get(graph.producerIndex(t));
                    if (p.type().equals("Conv")) {
                        return p.inputs().get(0);
                    }
                    if (!java.util.Set.of("Relu", "Dropout", "Identity", "BatchNormalization", "Clip").contains(p.type())) {
                        break;
                    }
                    t = p.inputs().get(0);
                }
                break;
            }
        }
        throw new IllegalArgumentException("the model has no Gemm or MatMul classifier layer (nor a final Conv before global pooling); "
                + "choose the layer to embed with --layer");
    }

    /** {@code act} {@code [N, ...]} as {@code [N, D]}: 4-D activations pooled as asked, others flattened. */
    public static Tensor vectors(Tensor act, Pool pool) {
        int n = act.dim(0);
        if (act.rank() != 4 || pool == Pool.FLATTEN) {
            return act.reshape(n, act.size() / Math.max(1, n));
        }
        int c = act.dim(1);
        int hw = act.dim(2) * act.dim(3);
        float[] out = new float[n * c];
        float[] d = act.data();
        for (int p = 0; p < n * c; p++) {
            float s = pool == Pool.MAX ? Float.NEGATIVE_INFINITY : 0f;
            for (int i = 0; i < hw; i++) {
                s = pool == Pool.MAX ? Math.max(s, d[p * hw + i]) : s + d[p * hw + i];
            }
            out[p] = pool == Pool.MAX ? s : s / hw;
        }
        return new Tensor(new int[] {n, c}, out);
    }

    /**
     * Embeds the first {@code limit} readable images of {@code data} (all when ≤ 0) at {@code layer}
     * (the default layer when null), {@code batch} at a time. A cancelled run returns the points
     * embedded so far.
     */
    public static Embedding compute(Graph graph, Dataset data, UnaryOperator<Tensor> transform, String layer, Pool pool, int batch,
            int limit, Progress progress, BooleanSupplier cancelled, Consumer<String> warnings) {
        Graph g = Models.batchable(graph);
        String l = layer != null ? layer : defaultLayer(g);
        Progress p = progress == null ? Progress.NONE : progress;
        Batches batches = new Batches(data, batch, limit, transform, warnings);
        List<float[]> parts = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        int d = -1;
        int n = 0;
        for (Batch b : batches) {
            Tensor v = vectors(Models.evaluate(g, b.images(), l), pool);
            if (d < 0) {
                d = v.dim(1);
            }
            parts.add(v.data().clone());
            for (int i = 0; i < b.size(); i++) {
                sources.add(b.sources()[i]);
                labels.add(b.labels()[i]);
                indices.add(b.indices()[i]);
            }
            n += b.size();
            p.update(n, batches.total());
            if (cancelled != null && cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("no readable image in " + data.name());
        }
        float[] all = new float[n * d];
        int off = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, all, off, part.length);
            off += part.length;
        }
        int[] lab = data.hasLabels() ? labels.stream().mapToInt(Integer::intValue).toArray() : null;
        return new Embedding(all, n, d, lab, sources, indices.stream().mapToInt(Integer::intValue).toArray(), l, data.classNames());
    }

    /** The raw pixels of the first {@code limit} images (after {@code transform}), flattened: the "pixel space". */
    public static Embedding pixels(Dataset data, UnaryOperator<Tensor> transform, int limit, Consumer<String> warnings) {
        Batches batches = new Batches(data, 256, limit, transform, warnings);
        List<float[]> parts = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        int d = -1;
        int n = 0;
        for (Batch b : batches) {
            if (d < 0) {
                d = b.images().size() / b.size();
            }
            parts.add(b.images().data());
            for (int i = 0; i < b.size(); i++) {
                sources.add(b.sources()[i]);
                labels.add(b.labels()[i]);
                indices.add(b.indices()[i]);
            }
            n += b.size();
        }
        if (n == 0) {
            throw new IllegalArgumentException("no readable image in " + data.name());
        }
        float[] all = new float[n * d];
        int off = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, all, off, part.length);
            off += part.length;
        }
        int[] lab = data.hasLabels() ? labels.stream().mapToInt(Integer::intValue).toArray() : null;
        return new Embedding(all, n, d, lab, sources, indices.stream().mapToInt(Integer::intValue).toArray(), "pixels", data.classNames());
    }
}
