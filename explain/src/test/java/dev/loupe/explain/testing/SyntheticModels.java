package dev.loupe.explain.testing;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.ops.Relu;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small graphs built by hand for tests whose right answer is known. */
public final class SyntheticModels {
    public static final int SIZE = 16;

    private SyntheticModels() {
    }

    /**
     * A two-class model whose class 1 looks only at the top-left quadrant: a 3×3 "bright blob"
     * detector (box filter, bias −2) and a "dark" detector, ReLU, then a dense layer whose class-1
     * row reads the blob channel at top-left positions only (class 0 reads the rest).
     * The feature map is named {@code "features"}, the logits {@code "logits"}.
     */
    public static Graph quadrant() {
        int s = SIZE;
        Tensor w = Tensor.zeros(2, 1, 3, 3);
        for (int i = 0; i < 9; i++) {
            w.data()[i] = 1f;
            w.data()[9 + i] = -1f;
        }
        Tensor dense = Tensor.zeros(2, 2 * s * s);
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                boolean tl = y < s / 2 && x < s / 2;
                dense.data()[(tl ? 1 : 0) * 2 * s * s + y * s + x] = 1f / (s * s);
            }
        }
        List<Node> nodes = List.of(
                new Node("conv", new TestOps.Conv(w, new float[] {-2f, 0.5f}, 1), List.of("x"), List.of("pre")),
                new Node("relu", new Relu(), List.of("pre"), List.of("features")),
                new Node("fc", new TestOps.Dense(dense, new float[] {0f, 0f}), List.of("features"), List.of("logits")));
        return new Graph(nodes, Map.of(), List.of(ValueInfo.of("x", 1, 1, s, s)), List.of(ValueInfo.of("logits")));
    }

    /** An image for {@link #quadrant()}: a bright square inside the top-left quadrant, faint noise elsewhere. */
    public static Tensor quadrantImage() {
        int s = SIZE;
        Random rnd = new Random(3);
        Tensor x = Tensor.zeros(1, 1, s, s);
        for (int y = 0; y < s; y++) {
            for (int xx = 0; xx < s; xx++) {
                boolean blob = y >= 2 && y < 6 && xx >= 2 && xx < 6;
                x.data()[y * s + xx] = blob ? 1f : 0.02f * (float) rnd.nextGaussian();
            }
        }
        return x;
    }

    /** A smooth model: conv → tanh → global average pool → dense (3 classes), random weights. */
    public static Graph smooth(long seed) {
        Random rnd = new Random(seed);
        Tensor w = Tensor.zeros(4, 3, 3, 3);
        for (int i = 0; i < w.size(); i++) {
            w.data()[i] = (float) rnd.nextGaussian() * 0.6f;
        }
        Tensor d = Tensor.zeros(3, 4);
        for (int i = 0; i < d.size(); i++) {
            d.data()[i] = (float) rnd.nextGaussian() * 2f;
        }
        List<Node> nodes = List.of(
                new Node("conv", new TestOps.Conv(w, new float[] {0.1f, -0.2f, 0.3f, 0f}, 1), List.of("x"), List.of("pre")),
                new Node("tanh", new TestOps.Tanh(), List.of("pre"), List.of("features")),
                new Node("gap", new TestOps.GlobalAveragePool(), List.of("features"), List.of("pooled")),
                new Node("fc", new TestOps.Dense(d, new float[] {0f, 0f, 0f}), List.of("pooled"), List.of("logits")));
        return new Graph(nodes, Map.of(), List.of(ValueInfo.of("x", -1, 3, 8, 8)), List.of(ValueInfo.of("logits")));
    }

    public static Tensor randomImage(long seed, int... shape) {
        Random rnd = new Random(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) rnd.nextGaussian();
        }
        return t;
    }
}
