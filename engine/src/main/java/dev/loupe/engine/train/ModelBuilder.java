package dev.loupe.engine.train;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Op;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.ops.Attributes;
import dev.loupe.engine.ops.OpFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds a feed-forward image classifier layer by layer, with freshly initialised weights, e.g.
 * <pre>{@code
 * Graph g = new ModelBuilder(1, 28, 28, 42).conv(16, 3, 1).relu().maxPool(2).flatten().dense(10).build();
 * }</pre>
 *
 * <p>Ops are created through {@link OpFactory} from ONNX attributes, exactly as a loaded model's
 * would be, so the graph can be written as ONNX and explained like any other. The input is
 * {@code input [batch, C, H, W]}, the output {@code logits [batch, classes]}; weights are named
 * PyTorch-style ({@code conv1.weight}, {@code fc1.bias}).
 *
 * <p>Initialisation, reproducible from the seed: weights He/Kaiming uniform for ReLU networks,
 * {@code U(-√(6/fan_in), √(6/fan_in))} (PyTorch's {@code kaiming_uniform_(nonlinearity='relu')}),
 * biases {@code U(-1/√fan_in, 1/√fan_in)} as PyTorch's layers initialise them.
 */
public final class ModelBuilder {
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";

    private final Random rng;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> constants = new LinkedHashMap<>();
    private final int[] inputShape;
    /** Current activation shape without the batch axis: [C, H, W] or [F]. */
    private int[] shape;
    private String current = INPUT;
    private final Map<String, Integer> counters = new java.util.HashMap<>();

    public ModelBuilder(int channels, int height, int width, long seed) {
        this.rng = new Random(seed);
        this.inputShape = new int[] {channels, height, width};
        this.shape = inputShape.clone();
    }

    /** Prefix of constants that are fixed preprocessing, not parameters (see {@link #isTrainable}). */
    public static final String FIXED_PREFIX = "input.";

    /** Whether a constant of a built graph is a parameter to train (the normalisation constants are not). */
    public static boolean isTrainable(String constantName) {
        return !constantName.startsWith(FIXED_PREFIX);
    }

    /**
     * Normalises the input inside the model, {@code (x - mean) / std}, so callers feed plain
     * pixels in [0, 1]; its constants are {@code input.mean} and {@code input.std}, which
     * {@link #isTrainable} excludes from training.
     */
    public ModelBuilder normalize(float mean, float std) {
        String m = param(FIXED_PREFIX + "mean", Tensor.scalar(mean));
        String s = param(FIXED_PREFIX + "std", Tensor.scalar(std));
        add(next("sub"), "Sub", List.of(current, m), Attributes.empty());
        add(next("div"), "Div", List.of(current, s), Attributes.empty());
        return this;
    }

    /** A 3-D activation ([C, H, W]), or a clear error naming the layer. */
    private void needImage(String layer) {
        if (shape.length != 3) {
            throw new IllegalStateException(layer + " needs an image-shaped [C, H, W] activation, but the previous layers give "
                    + Arrays.toString(shape));
        }
    }

    /** A square convolution with stride 1 and the given zero padding on every side, with bias. */
    public ModelBuilder conv(int outChannels, int kernel, int pad) {
        needImage("conv");
        int c = shape[0];
        int fanIn = c * kernel * kernel;
        String name = next("conv");
        String w = param(name + ".weight", heUniform(fanIn, outChannels, c, kernel, kernel));
        String b = param(name + ".bias", biasUniform(fanIn, outChannels));
        add(name, "Conv", List.of(current, w, b), Attributes.of("kernel_shape", new int[] {kernel, kernel},
                "pads", new int[] {pad, pad, pad, pad}, "strides", new int[] {1, 1}));
        shape = new int[] {outChannels, shape[1] + 2 * pad - kernel + 1, shape[2] + 2 * pad - kernel + 1};
        return this;
    }

    public ModelBuilder relu() {
        add(next("relu"), "Relu", List.of(current), Attributes.empty());
        return this;
    }

    /** Max pooling with a square window and stride equal to it (floor mode). */
    public ModelBuilder maxPool(int size) {
        needImage("maxPool");
        add(next("pool"), "MaxPool", List.of(current), Attributes.of("kernel_shape", new int[] {size, size},
                "strides", new int[] {size, size}));
        shape = new int[] {shape[0], shape[1] / size, shape[2] / size};
        return this;
    }

    /** The mean of each channel: [C, H, W] to [C] (as GlobalAveragePool then Flatten). */
    public ModelBuilder globalAveragePool() {
        needImage("globalAveragePool");
        add(next("gap"), "GlobalAveragePool", List.of(current), Attributes.empty());
        shape = new int[] {shape[0], 1, 1};
        return flatten();
    }

    public ModelBuilder flatten() {
        add(next("flatten"), "Flatten", List.of(current), Attributes.of("axis", 1));
        shape = new int[] {Arrays.stream(shape).reduce(1, (a, b) -> a * b)};
        return this;
    }

    /** A fully connected layer {@code y = x·Wᵀ + b} (ONNX Gemm with transB, W of shape [out, in]). */
    public ModelBuilder dense(int out) {
        if (shape.length != 1) {
            throw new IllegalStateException("dense needs a flat activation; add flatten() or globalAveragePool() first (shape is "
                    + Arrays.toString(shape) + ")");
        }
        int in = shape[0];
        String name = next("fc");
        String w = param(name + ".weight", heUniform(in, out, in));
        String b = param(name + ".bias", biasUniform(in, out));
        add(name, "Gemm", List.of(current, w, b), Attributes.of("transB", 1, "alpha", 1.0, "beta", 1.0));
        shape = new int[] {out};
        return this;
    }

    /** The graph; its last layer's output is renamed {@value #OUTPUT}. */
    public Graph build() {
        if (nodes.isEmpty()) {
            throw new IllegalStateException("the model has no layers");
        }
        List<Node> fixed = new ArrayList<>(nodes);
        Node last = fixed.remove(fixed.size() - 1);
        fixed.add(new Node(last.name(), last.op(), last.inputs(), List.of(OUTPUT)));
        int[] in = {-1, inputShape[0], inputShape[1], inputShape[2]};
        int[] out = new int[shape.length + 1];
        out[0] = -1;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return new Graph(fixed, constants, List.of(new ValueInfo(INPUT, in, new String[] {"batch", null, null, null})),
                List.of(new ValueInfo(OUTPUT, out, batchName(out.length))));
    }

    private static String[] batchName(int rank) {
        String[] n = new String[rank];
        n[0] = "batch";
        return n;
    }

    /** {@code kind1}, {@code kind2}, ...: layer names numbered per kind. */
    private String next(String kind) {
        return kind + counters.merge(kind, 1, Integer::sum);
    }

    private void add(String name, String type, List<String> inputs, Attributes attributes) {
        Op op = OpFactory.create(type, name, attributes);
        String out = name + "_out";
        nodes.add(new Node(name, op, inputs, List.of(out)));
        current = out;
    }

    private String param(String name, Tensor value) {
        constants.put(name, value);
        return name;
    }

    private Tensor heUniform(int fanIn, int... shape) {
        return uniform(Math.sqrt(6.0 / fanIn), shape);
    }

    private Tensor biasUniform(int fanIn, int n) {
        return uniform(1 / Math.sqrt(fanIn), n);
    }

    private Tensor uniform(double bound, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return t;
    }
}
