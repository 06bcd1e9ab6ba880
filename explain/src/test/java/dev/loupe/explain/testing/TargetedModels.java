package dev.loupe.explain.testing;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.ops.Binary;
import dev.loupe.engine.ops.Flatten;
import dev.loupe.engine.ops.Gemm;
import dev.loupe.engine.ops.MatMul;
import dev.loupe.engine.ops.Relu;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Hand-built models for the targeted methods (CAM family, contrast, RISE, LIME, Score-CAM). */
public final class TargetedModels {
    private TargetedModels() {
    }

    /** How the GAP head's linear layer is expressed in ONNX. */
    public enum Head { GEMM_TRANS_B, GEMM, MATMUL_ADD }

    /**
     * conv 3×3 (random, {@code channels} out) → ReLU ({@code "features"}) → GlobalAveragePool →
     * Flatten → linear layer with constant weights ({@code classes} outputs) as the given head.
     * Input [N, 3, 8, 8]. Uses the engine's own GAP, Flatten, Gemm/MatMul/Add ops.
     */
    public static Graph gapLinear(long seed, int channels, int classes, Head head) {
        Random rnd = new Random(seed);
        Tensor w = Tensor.zeros(channels, 3, 3, 3);
        for (int i = 0; i < w.size(); i++) {
            w.data()[i] = (float) rnd.nextGaussian() * 0.5f;
        }
        float[] convBias = new float[channels];
        for (int i = 0; i < channels; i++) {
            convBias[i] = 0.1f * i;
        }
        Tensor wc = Tensor.zeros(classes, channels); // W[class][channel]
        for (int i = 0; i < wc.size(); i++) {
            wc.data()[i] = (float) rnd.nextGaussian();
        }
        Tensor bias = Tensor.zeros(classes);
        for (int i = 0; i < classes; i++) {
            bias.data()[i] = 0.3f * i - 0.2f;
        }
        Map<String, Tensor> constants = new LinkedHashMap<>();
        List<Node> nodes = new java.util.ArrayList<>(List.of(
                new Node("conv", new TestOps.Conv(w, convBias, 1), List.of("x"), List.of("pre")),
                new Node("relu", new Relu(), List.of("pre"), List.of("features")),
                new Node("gap", new dev.loupe.engine.ops.GlobalAveragePool(), List.of("features"), List.of("pooled")),
                new Node("flatten", new Flatten(1), List.of("pooled"), List.of("flat"))));
        switch (head) {
            case GEMM_TRANS_B -> {
                constants.put("W", wc);
                constants.put("b", bias);
                nodes.add(new Node("fc", new Gemm(1f, 1f, false, true), List.of("flat", "W", "b"), List.of("logits")));
            }
            case GEMM -> {
                constants.put("W", transpose(wc));
                constants.put("b", bias);
                nodes.add(new Node("fc", new Gemm(1f, 1f, false, false), List.of("flat", "W", "b"), List.of("logits")));
            }
            case MATMUL_ADD -> {
                constants.put("W", transpose(wc));
                constants.put("b", bias);
                nodes.add(new Node("fc", new MatMul(), List.of("flat", "W"), List.of("mm")));
                nodes.add(new Node("bias", new Binary(Binary.Kind.ADD), List.of("b", "mm"), List.of("logits")));
            }
        }
        return new Graph(nodes, constants, List.of(ValueInfo.of("x", -1, 3, 8, 8)), List.of(ValueInfo.of("logits")));
    }

    private static Tensor transpose(Tensor m) {
        int r = m.dim(0);
        int c = m.dim(1);
        Tensor t = Tensor.zeros(c, r);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                t.data()[j * r + i] = m.data()[i * c + j];
            }
        }
        return t;
    }

    /** A 1×1 convolution copying each of {@code c} channels. */
    private static TestOps.Conv identityConv(int c) {
        Tensor w = Tensor.zeros(c, c, 1, 1);
        for (int i = 0; i < c; i++) {
            w.data()[i * c + i] = 1f;
        }
        return new TestOps.Conv(w, new float[c], 0);
    }

    /**
     * x [1, 2, h, w] → identity 1×1 conv → (ReLU if {@code relu}) = {@code "features"} → a dense
     * layer on the flattened features with the given rows (one per class, length 2·h·w) → logits.
     */
    public static Graph denseHead(int h, int w, boolean relu, float[][] rows) {
        Tensor dense = Tensor.zeros(rows.length, 2 * h * w);
        for (int c = 0; c < rows.length; c++) {
            System.arraycopy(rows[c], 0, dense.data(), c * 2 * h * w, 2 * h * w);
        }
        List<Node> nodes = relu
                ? List.of(new Node("conv", identityConv(2), List.of("x"), List.of("pre")),
                        new Node("relu", new Relu(), List.of("pre"), List.of("features")),
                        new Node("fc", new TestOps.Dense(dense, new float[rows.length]), List.of("features"), List.of("logits")))
                : List.of(new Node("conv", identityConv(2), List.of("x"), List.of("features")),
                        new Node("fc", new TestOps.Dense(dense, new float[rows.length]), List.of("features"), List.of("logits")));
        return new Graph(nodes, Map.of(), List.of(ValueInfo.of("x", -1, 2, h, w)), List.of(ValueInfo.of("logits")));
    }

    /**
     * "Why car rather than bike": x [1, 2, 2, 4] → identity 1×1 conv → ReLU ({@code "features"})
     * → global average pool → dense. Channel 0 is a "wheel" detector, channel 1 a "roof" detector.
     * Class 0 (car) = 2·mean(wheel) + 3·mean(roof); class 1 (bike) = 2·mean(wheel) + 0.5·mean(roof);
     * class 2 = −mean(wheel) + mean(roof).
     */
    public static Graph carOrBike() {
        Tensor dense = Tensor.of(new float[] {2f, 3f, 2f, 0.5f, -1f, 1f}, 3, 2);
        List<Node> nodes = List.of(
                new Node("conv", identityConv(2), List.of("x"), List.of("pre")),
                new Node("relu", new Relu(), List.of("pre"), List.of("features")),
                new Node("gap", new TestOps.GlobalAveragePool(), List.of("features"), List.of("pooled")),
                new Node("fc", new TestOps.Dense(dense, new float[3]), List.of("pooled"), List.of("logits")));
        return new Graph(nodes, Map.of(), List.of(ValueInfo.of("x", -1, 2, 2, 4)), List.of(ValueInfo.of("logits")));
    }

    /** Wheels (channel 0) on the left half (columns 0–1), a roof (channel 1) on the right half (columns 2–3). */
    public static Tensor carOrBikeImage() {
        Tensor x = Tensor.zeros(1, 2, 2, 4);
        for (int y = 0; y < 2; y++) {
            for (int c = 0; c < 2; c++) {
                x.set(1f, 0, 0, y, c);
                x.set(1f, 0, 1, y, c + 2);
            }
        }
        return x;
    }

    public static final int PLANTED = 16;
    /** The planted blob's rows and columns, [start, end). */
    public static final int BLOB_Y0 = 9, BLOB_Y1 = 13, BLOB_X0 = 3, BLOB_X1 = 7;

    /**
     * A blob detector that fires wherever the blob is: x [1, 1, 16, 16] → 3×3 conv with a "bright
     * blob" channel (box filter, bias −2) and a "dark" channel (−box, bias 0.5) → ReLU
     * ({@code "features"}) → global average pool → dense: class 1 = 20·mean(blob channel), class 0 = 3.
     * Without a blob the model says class 0 (p₁ ≈ 0.05); with one, class 1.
     */
    public static Graph planted() {
        Tensor w = Tensor.zeros(2, 1, 3, 3);
        for (int i = 0; i < 9; i++) {
            w.data()[i] = 1f;
            w.data()[9 + i] = -1f;
        }
        Tensor dense = Tensor.of(new float[] {0f, 0f, 20f, 0f}, 2, 2);
        List<Node> nodes = List.of(
                new Node("conv", new TestOps.Conv(w, new float[] {-2f, 0.5f}, 1), List.of("x"), List.of("pre")),
                new Node("relu", new Relu(), List.of("pre"), List.of("features")),
                new Node("gap", new TestOps.GlobalAveragePool(), List.of("features"), List.of("pooled")),
                new Node("fc", new TestOps.Dense(dense, new float[] {3f, 0f}), List.of("pooled"), List.of("logits")));
        int s = PLANTED;
        return new Graph(nodes, Map.of(), List.of(ValueInfo.of("x", -1, 1, s, s)), List.of(ValueInfo.of("logits")));
    }

    /** A bright 4×4 blob at rows 9–12, columns 3–6, faint noise elsewhere. */
    public static Tensor plantedImage() {
        int s = PLANTED;
        Random rnd = new Random(5);
        Tensor x = Tensor.zeros(1, 1, s, s);
        for (int y = 0; y < s; y++) {
            for (int xx = 0; xx < s; xx++) {
                boolean blob = y >= BLOB_Y0 && y < BLOB_Y1 && xx >= BLOB_X0 && xx < BLOB_X1;
                x.data()[y * s + xx] = blob ? 1f : 0.02f * (float) rnd.nextGaussian();
            }
        }
        return x;
    }
}
