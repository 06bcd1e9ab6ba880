package dev.loupe.explain.indirect;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.kernels.Window2d;
import dev.loupe.engine.ops.AveragePool;
import dev.loupe.engine.ops.Conv;
import dev.loupe.engine.ops.MaxPool;
import dev.loupe.engine.ops.WindowAttrs;
import dev.loupe.explain.Models;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The receptive field of the units of a 4-D activation in input pixels, per axis: its
 * {@code size}, the {@code stride} (jump) between neighbouring units' fields, and the {@code start}
 * (input coordinate of the first row/column of unit 0's field; negative where padding reaches
 * outside the image). Unit {@code (y, x)} sees rows {@code [startY + y·strideY, … + sizeY)}.
 *
 * <p>Computed from the graph by the usual recurrence: through a window of effective size
 * {@code k' = (k−1)·d + 1}, stride {@code s} and begin pad {@code p},
 * {@code size += (k'−1)·jump}, {@code start −= p·jump}, {@code jump *= s}. Element-wise and
 * channel-wise ops (ReLU, BatchNorm, LRN, Add, Concat, ...) keep it; where branches meet, the union
 * of their fields is taken (the largest extent). The field is the theoretical one: border units
 * see padding for part of it.
 */
public record ReceptiveField(int sizeY, int sizeX, int strideY, int strideX, int startY, int startX) {

    /** Ops that keep the spatial layout unit for unit (they may mix channels). */
    private static final Set<String> POINTWISE = Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "BatchNormalization",
            "Dropout", "Identity", "Add", "Sub", "Mul", "Div", "Sum", "Concat", "LRN", "Cast", "Exp", "Sqrt", "Softmax", "Split",
            "Max", "Min", "Neg", "Abs", "HardSigmoid", "HardSwish", "PRelu", "Elu", "Selu", "Erf", "Pow");

    /** The field of the input itself: one pixel. */
    public static final ReceptiveField PIXEL = new ReceptiveField(1, 1, 1, 1, 0, 0);

    /**
     * Input rows and columns seen by unit {@code (y, x)}: {@code {y0, x0, y1, x1}}, ends exclusive,
     * not clamped.
     */
    public int[] region(int y, int x) {
        int y0 = startY + y * strideY;
        int x0 = startX + x * strideX;
        return new int[] {y0, x0, y0 + sizeY, x0 + sizeX};
    }

    /** {@link #region} clamped to an {@code h × w} image. */
    public int[] clampedRegion(int y, int x, int h, int w) {
        int[] r = region(y, x);
        return new int[] {Math.max(0, r[0]), Math.max(0, r[1]), Math.min(h, r[2]), Math.min(w, r[3])};
    }

    /** The field after a window of kernel k, stride s, begin pad p and dilation d per axis. */
    ReceptiveField through(int kh, int kw, int sh, int sw, int padTop, int padLeft, int dh, int dw) {
        int ekh = (kh - 1) * dh + 1;
        int ekw = (kw - 1) * dw + 1;
        return new ReceptiveField(sizeY + (ekh - 1) * strideY, sizeX + (ekw - 1) * strideX, strideY * sh, strideX * sw,
                startY - padTop * strideY, startX - padLeft * strideX);
    }

    /** The smallest field covering both (for branches that meet); the larger stride is kept. */
    ReceptiveField union(ReceptiveField o) {
        int y0 = Math.min(startY, o.startY);
        int x0 = Math.min(startX, o.startX);
        int y1 = Math.max(startY + sizeY, o.startY + o.sizeY);
        int x1 = Math.max(startX + sizeX, o.startX + o.sizeX);
        return new ReceptiveField(y1 - y0, x1 - x0, Math.max(strideY, o.strideY), Math.max(strideX, o.strideX), y0, x0);
    }

    /**
     * The receptive field of {@code tensor} for an input whose static shape the graph declares.
     *
     * @throws IllegalArgumentException when the input's height or width is dynamic (use {@link #of(Graph, String, int, int)})
     */
    public static ReceptiveField of(Graph graph, String tensor) {
        ValueInfo in = graph.inputs().get(0);
        int[] s = in.shape();
        if (s == null || s.length != 4 || s[2] <= 0 || s[3] <= 0) {
            throw new IllegalArgumentException("the model input " + in + " has no static height and width; give the image size");
        }
        return of(graph, tensor, s[2], s[3]);
    }

    /**
     * The receptive field of {@code tensor} with respect to the graph's single input of
     * {@code height × width} pixels (the size matters only for auto_pad SAME).
     *
     * @throws IllegalArgumentException when the tensor is unknown, does not depend on the input
     *                                  spatially, or a node on the way has no spatial layout (Flatten, Gemm, global pooling, ...)
     */
    public static ReceptiveField of(Graph graph, String tensor, int height, int width) {
        String input = Models.inputName(graph);
        if (!graph.hasTensor(tensor)) {
            throw new IllegalArgumentException("no tensor named '" + tensor + "' in the model");
        }
        Map<String, ReceptiveField> fields = new HashMap<>();
        Map<String, int[]> sizes = new HashMap<>();
        fields.put(input, PIXEL);
        sizes.put(input, new int[] {height, width});
        if (tensor.equals(input)) {
            return PIXEL;
        }
        for (Node n : graph.nodes()) {
            ReceptiveField rf = null;
            int[] size = null;
            for (int k = 0; k < n.inputs().size(); k++) {
                ReceptiveField f = fields.get(n.inputs().get(k));
                if (f != null) {
                    rf = rf == null ? f : rf.union(f);
                    size = size == null ? sizes.get(n.inputs().get(k)) : size;
                }
            }
            if (rf == null) {
                continue;
            }
            ReceptiveField out;
            int[] outSize;
            WindowAttrs window = null;
            int kh = 0;
            int kw = 0;
            switch (n.type()) {
                case "Conv" -> {
                    window = ((Conv) n.op()).window();
                    Tensor w = graph.constants().get(n.inputs().get(1));
                    int[] ks = window.kernelShape();
                    if (ks == null && w == null) {
                        throw new IllegalArgumentException("Conv node '" + n.name() + "' has neither kernel_shape nor constant weights");
                    }
                    kh = ks != null ? ks[0] : w.dim(2);
                    kw = ks != null ? ks[1] : w.dim(3);
                }
                case "MaxPool" -> {
                    window = ((MaxPool) n.op()).window();
                    kh = window.kernelShape()[0];
                    kw = window.kernelShape()[1];
                }
                case "AveragePool" -> {
                    window = ((AveragePool) n.op()).window();
                    kh = window.kernelShape()[0];
                    kw = window.kernelShape()[1];
                }
                default -> {
                    if (!POINTWISE.contains(n.type())) {
                        throw new IllegalArgumentException("no spatial receptive field for '" + tensor + "': node '" + n.name() + "' ("
                                + n.type() + ") on the way from the input does not keep the spatial layout; choose a convolutional feature map");
                    }
                }
            }
            if (window != null) {
                Window2d g = window.resolve(size[0], size[1], kh, kw);
                out = rf.through(kh, kw, g.sh(), g.sw(), g.padTop(), g.padLeft(), g.dh(), g.dw());
                outSize = new int[] {g.oh(), g.ow()};
            } else {
                out = rf;
                outSize = size;
            }
            for (String o : n.outputs()) {
                if (!o.isEmpty()) {
                    fields.put(o, out);
                    sizes.put(o, outSize);
                }
            }
            if (fields.containsKey(tensor)) {
                return fields.get(tensor);
            }
        }
        throw new IllegalArgumentException("'" + tensor + "' does not depend on the input '" + input + "'");
    }

    @Override
    public String toString() {
        return sizeY == sizeX && strideY == strideX && startY == startX
                ? "size " + sizeY + ", stride " + strideY + ", start " + startY
                : "size " + sizeY + "x" + sizeX + ", stride " + strideY + "x" + strideX + ", start " + Arrays.toString(new int[] {startY, startX});
    }
}
