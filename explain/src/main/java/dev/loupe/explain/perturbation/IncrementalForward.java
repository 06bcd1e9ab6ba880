package dev.loupe.explain.perturbation;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Executor;
import dev.loupe.engine.FusesRelu;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Op;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.kernels.DepthwiseConv;
import dev.loupe.engine.kernels.FewChannelConv;
import dev.loupe.engine.kernels.Gemm;
import dev.loupe.engine.kernels.Im2col;
import dev.loupe.engine.kernels.Pooling;
import dev.loupe.engine.kernels.Window2d;
import dev.loupe.engine.kernels.Winograd;
import dev.loupe.engine.ops.AveragePool;
import dev.loupe.engine.ops.Concat;
import dev.loupe.engine.ops.Conv;
import dev.loupe.engine.ops.MaxPool;
import dev.loupe.engine.ops.Relu;
import dev.loupe.engine.ops.WindowAttrs;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forward passes of copies of one image that differ from it only inside a box each (an occluding
 * patch), recomputing only what the box can change.
 *
 * <p>The clean image is forwarded once (the {@link Trace} given). Each tensor of a perturbed copy
 * is then either the clean one with a box of changed values (a <em>region</em>) or, from the first
 * layer where boxes stop paying (a global layer, an op without a region rule, or boxes covering
 * most of the plane), a whole tensor for the batch of copies. Region rules:
 * <ul>
 *   <li>Conv, MaxPool, AveragePool: the output box holds every output whose window meets the input
 *       box; it is computed by the op's own kernels (im2col + GEMM, depthwise, pooling) on a crop
 *       of the input that includes the halo, with the pads that remain at the image border. On the
 *       im2col + GEMM path each output value sums the same products in the same order as the
 *       whole-image kernel, so it is bit-for-bit the same (GEMM's order depends only on the depth K
 *       and its K blocking); 3x3 convolutions that take Winograd's path run it on the crop, whose
 *       tiles differ from the whole image's, so they agree to float rounding only.</li>
 *   <li>Ops that act on each pixel separately (ReLU, Clip, BatchNorm, element-wise arithmetic,
 *       channel Concat, LRN, …): the union of the input boxes, computed by the op itself on the
 *       crops.</li>
 * </ul>
 * Everything from the switch to whole tensors on runs the graph's ops unchanged on the batch. A
 * ReLU that is the only reader of a Conv's or an element-wise op's output is applied as that op
 * stores it, on boxes and whole tensors alike (bit-identical, as in {@code Executor.evaluate}).
 */
final class IncrementalForward {
    /** Above this share of the output plane (summed over the copies) whole tensors are cheaper. */
    static double fullShare = 0.7;
    /**
     * Whether Winograd convolutions run the copies that share a crop geometry as one batch per
     * thread (see {@link #winogradBatches}); {@code -Dloupe.occlusion.batched-winograd=false} runs each alone.
     */
    static final boolean BATCHED = !"false".equals(System.getProperty("loupe.occlusion.batched-winograd"));

    /** Ops that act on every pixel (every N, H, W position) separately. */
    private static final Set<String> PIXELWISE = Set.of("Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh",
            "BatchNormalization", "Dropout", "Identity", "LRN", "Exp", "Sqrt", "Add", "Sub", "Mul", "Div", "Pow", "Concat");

    private final Graph graph;
    private final Trace clean;
    private final String input;
    private final Set<String> dependent = new HashSet<>();
    private final boolean[] regional;
    private final Window2d[] geometry;
    private final Map<String, Integer> lastUseOf = new HashMap<>();
    /**
     * Per node, the index of the ReLU it applies as it writes its output, or -1 (as {@link
     * dev.loupe.engine.Executor#evaluate} fuses them): the ReLU's crop, its pass and its array are
     * saved, on boxes and on whole tensors alike.
     */
    private final int[] reluAfter;
    /** The ReLUs that nodes before them apply. */
    private final boolean[] fusedAway;
    /**
     * Pools of crops and region values, made on whichever worker computes a copy and dead on
     * another: reused from one batch to the next instead of allocated (about 1 GB per ResNet-18
     * occlusion). One pool per {@link #run} in progress, since batches may run on several threads
     * at once and a run takes back everything its pool handed out.
     */
    private final java.util.concurrent.ConcurrentLinkedDeque<Buffers.Shared> idlePools =
            new java.util.concurrent.ConcurrentLinkedDeque<>();

    /**
     * @param clean a forward pass of one image (batch 1) through {@code graph}
     */
    IncrementalForward(Graph graph, Trace clean, String input) {
        this.graph = graph;
        this.clean = clean;
        this.input = input;
        List<Node> nodes = graph.nodes();
        dependent.add(input);
        for (Node n : nodes) {
            if (n.inputs().stream().anyMatch(dependent::contains)) {
                n.outputs().stream().filter(o -> !o.isEmpty()).forEach(dependent::add);
            }
        }
        regional = new boolean[nodes.size()];
        geometry = new Window2d[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).inputs()) {
                if (!in.isEmpty()) {
                    lastUseOf.put(in, i);
                }
            }
            regional[i] = analyse(i);
        }
        boolean[] all = new boolean[nodes.size()];
        java.util.Arrays.fill(all, true);
        Set<String> graphOutputs = new HashSet<>();
        graph.outputs().forEach(v -> graphOutputs.add(v.name()));
        reluAfter = Executor.fusableRelus(nodes, all, graphOutputs);
        fusedAway = new boolean[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            if (reluAfter[i] >= 0 && dependent.contains(nodes.get(i).outputs().get(0))) {
                fusedAway[reluAfter[i]] = true;
            } else {
                reluAfter[i] = -1;
            }
        }
    }

    /**
     * Why the incremental path cannot help with this graph and image, or null when it can: the
     * input must be one NCHW image and every node reading it must have a region rule.
     */
    static String unsupportedReason(Graph graph, Trace clean, String input) {
        Tensor x = clean.get(input);
        if (x.rank() != 4 || x.dim(0) != 1) {
            return "the input is not one NCHW image";
        }
        IncrementalForward probe = new IncrementalForward(graph, clean, input);
        for (int i = 0; i < graph.nodes().size(); i++) {
            Node n = graph.nodes().get(i);
            if (n.inputs().contains(input) && !probe.regional[i]) {
                return n.type() + " node '" + n.name() + "' reads the input and has no region rule";
            }
        }
        return null;
    }

    /** Whether node i can be computed on boxes, judged from the clean shapes. */
    private boolean analyse(int i) {
        Node n = graph.nodes().get(i);
        List<String> outs = n.outputs().stream().filter(o -> !o.isEmpty()).toList();
        if (outs.size() != 1 || n.inputs().isEmpty() || !dependent.contains(n.inputs().get(0))) {
            return false;
        }
        Tensor y = clean.get(outs.get(0));
        Tensor x = clean.get(n.inputs().get(0));
        if (y.rank() != 4 || y.dim(0) != 1 || x.rank() != 4) {
            return false;
        }
        Op op = n.op();
        if (op instanceof Conv conv) {
            if (n.inputs().size() < 2 || n.inputs().subList(1, n.inputs().size()).stream().anyMatch(dependent::contains)) {
                return false;
            }
            Tensor w = clean.get(n.inputs().get(1));
            geometry[i] = conv.window().resolve(x.dim(2), x.dim(3), w.dim(2), w.dim(3));
            return true;
        }
        if (op instanceof MaxPool mp) {
            geometry[i] = pooled(mp.window(), x);
            return true;
        }
        if (op instanceof AveragePool ap) {
            // Windows running past the end pad in ceil mode divide by a clipped count a crop cannot reproduce.
            if (ap.countIncludePad() && ap.window().ceilMode()) {
                return false;
            }
            geometry[i] = pooled(ap.window(), x);
            return true;
        }
        if (!PIXELWISE.contains(op.type())) {
            return false;
        }
        if (op instanceof Concat c && !(c.axis() == 1 || c.axis() == -3)) {
            return false;
        }
        int h = y.dim(2);
        int w = y.dim(3);
        for (String in : n.inputs()) {
            if (in.isEmpty()) {
                continue;
            }
            Tensor t = clean.get(in);
            if (dependent.contains(in)) {
                if (t.rank() != 4 || t.dim(0) != 1 || t.dim(2) != h || t.dim(3) != w) {
                    return false;
                }
            } else if (!(op instanceof Concat) && cropMode(t, h, w) < 0) {
                return false;
            } else if (op instanceof Concat && (t.rank() != 4 || t.dim(2) != h || t.dim(3) != w)) {
                return false;
            }
        }
        return true;
    }

    private static Window2d pooled(WindowAttrs a, Tensor x) {
        return a.resolve(x.dim(2), x.dim(3), a.kernelShape()[0], a.kernelShape()[1]);
    }

    /** For a tensor that does not depend on the image: 1 to crop it with the box, 0 to pass it as is, -1 if neither works. */
    private static int cropMode(Tensor t, int h, int w) {
        if (t.rank() < 2) {
            return t.rank() == 1 && t.dim(0) == w && w > 1 ? -1 : 0;
        }
        int th = t.dim(-2);
        int tw = t.dim(-1);
        if (th == 1 && tw == 1) {
            return 0;
        }
        return th == h && tw == w && h * w > 1 ? 1 : -1;
    }

    /** A tensor of a batch of copies: clean values plus one box of changed values per copy. */
    private static final class Region {
        final int c;
        final int h;
        final int w;
        /** Per copy {y0, y1, x0, x1}; empty when y0 >= y1 or x0 >= x1. */
        final int[][] box;
        /**
         * Per copy, the values in the box, [c, y1-y0, x1-x0], from {@code off[j]} on: copies
         * computed in one batched call share its output array.
         */
        final float[][] data;
        final int[] off;

        Region(int c, int h, int w, int copies) {
            this.c = c;
            this.h = h;
            this.w = w;
            box = new int[copies][];
            data = new float[copies][];
            off = new int[copies];
        }

        static int area(int[] b) {
            return Math.max(0, b[1] - b[0]) * Math.max(0, b[3] - b[2]);
        }
    }

    /**
     * The graph's first output for {@code boxes.length} copies of the clean image, copy j having
     * the values {@code values[j]} ([C, y1-y0, x1-x0]) in box {@code boxes[j]} = {y0, y1, x0, x1}.
     * Several threads may run batches at once.
     */
    Tensor run(int[][] boxes, float[][] values) {
        int k = boxes.length;
        Tensor x = clean.get(input);
        Region in = new Region(x.dim(1), x.dim(2), x.dim(3), k);
        for (int j = 0; j < k; j++) {
            in.box[j] = boxes[j].clone();
            in.data[j] = values[j];
        }
        Buffers.Shared regionArrays = idlePools.pollFirst();
        if (regionArrays == null) {
            regionArrays = new Buffers.Shared();
        }
        // Everything made below is dead once the logits are copied out: recycle it for the next batch.
        try (Buffers.Scope scope = Buffers.recycling()) {
            Tensor out = runRegions(in, k, regionArrays);
            Tensor copy = out.copy();
            scope.releaseAll();
            return copy;
        } finally {
            regionArrays.reclaimAll();
            idlePools.addFirst(regionArrays);
        }
    }

    private Tensor runRegions(Region in, int k, Buffers.Shared regionArrays) {
        Map<String, Object> state = new HashMap<>();
        Map<String, Tensor> whole = new HashMap<>();
        state.put(input, in);
        List<Node> nodes = graph.nodes();
        Set<String> outputs = new HashSet<>();
        graph.outputs().forEach(v -> outputs.add(v.name()));
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.inputs().stream().noneMatch(dependent::contains)) {
                continue;
            }
            if (fusedAway[i]) {
                continue;
            }
            boolean relu = reluAfter[i] >= 0;
            String outName = relu ? nodes.get(reluAfter[i]).outputs().get(0) : null;
            if (!(regional[i] && regionStep(i, n, k, state, outName, regionArrays))) {
                Tensor[] args = new Tensor[n.inputs().size()];
                for (int a = 0; a < args.length; a++) {
                    String name = n.inputs().get(a);
                    args[a] = name.isEmpty() ? null : dependent.contains(name) ? materialise(name, state, whole, k) : clean.get(name);
                }
                Tensor[] outs = relu ? new Tensor[] {((FusesRelu) n.op()).forwardWithRelu(args)} : n.op().forward(args, new Saved());
                if (relu) {
                    state.put(outName, outs[0]);
                }
                for (int o = 0; !relu && o < n.outputs().size() && o < outs.length; o++) {
                    if (!n.outputs().get(o).isEmpty()) {
                        state.put(n.outputs().get(o), outs[o]);
                    }
                }
            }
            for (String name : n.inputs()) {
                if (!name.isEmpty() && lastUseOf.get(name) == i && !outputs.contains(name)) {
                    if (state.remove(name) instanceof Region dead) {
                        for (float[] d : dead.data) {
                            regionArrays.give(d);
                        }
                    }
                    whole.remove(name);
                }
            }
        }
        return materialise(graph.outputs().get(0).name(), state, whole, k);
    }

    /** The whole [k, ...] tensor of a dependent tensor. */
    private Tensor materialise(String name, Map<String, Object> state, Map<String, Tensor> whole, int k) {
        Object s = state.get(name);
        if (s instanceof Tensor t) {
            return t;
        }
        Tensor done = whole.get(name);
        if (done != null) {
            return done;
        }
        Region r = (Region) s;
        float[] base = clean.get(name).data();
        int size = base.length;
        float[] d = Buffers.output(k * size);
        Parallel.forEach(k, j -> {
            System.arraycopy(base, 0, d, j * size, size);
            int[] b = r.box[j];
            int bw = b[3] - b[2];
            if (Region.area(b) == 0) {
                return;
            }
            int bh = b[1] - b[0];
            for (int ch = 0; ch < r.c; ch++) {
                for (int y = 0; y < bh; y++) {
                    System.arraycopy(r.data[j], r.off[j] + (ch * bh + y) * bw, d, j * size + (ch * r.h + b[0] + y) * r.w + b[2], bw);
                }
            }
        });
        int[] shape = clean.get(name).shape();
        shape[0] = k;
        Tensor t = new Tensor(shape, d);
        whole.put(name, t);
        return t;
    }

    /**
     * Computes node i on boxes; false (nothing done) when whole tensors are due. With a fused ReLU
     * ({@code reluOutput} not null) the values are max(., 0) and go under the ReLU's output.
     */
    private boolean regionStep(int i, Node n, int k, Map<String, Object> state, String reluOutput,
            Buffers.Shared regionArrays) {
        boolean relu = reluOutput != null;
        for (String in : n.inputs()) {
            if (dependent.contains(in) && !(state.get(in) instanceof Region)) {
                return false;
            }
        }
        Tensor y = clean.get(n.outputs().stream().filter(o -> !o.isEmpty()).findFirst().orElseThrow());
        int oh = y.dim(2);
        int ow = y.dim(3);
        Window2d g = geometry[i];
        int[][] outBox = new int[k][];
        long area = 0;
        for (int j = 0; j < k; j++) {
            if (g != null) {
                int[] b = ((Region) state.get(n.inputs().get(0))).box[j];
                int[] ry = outRange(b[0], b[1], g.padTop(), g.kh(), g.sh(), g.dh(), oh);
                int[] rx = outRange(b[2], b[3], g.padLeft(), g.kw(), g.sw(), g.dw(), ow);
                outBox[j] = new int[] {ry[0], ry[1], rx[0], rx[1]};
            } else {
                int[] u = null;
                for (String in : n.inputs()) {
                    if (dependent.contains(in)) {
                        u = union(u, ((Region) state.get(in)).box[j]);
                    }
                }
                outBox[j] = u;
            }
            area += Region.area(outBox[j]);
        }
        if (area >= fullShare * k * oh * ow) {
            return false;
        }
        Region out = new Region(y.dim(1), oh, ow, k);
        for (int j = 0; j < k; j++) {
            out.box[j] = outBox[j];
        }
        List<int[]> items = g != null ? winogradBatches(n, g, (Region) state.get(n.inputs().get(0)), outBox) : null;
        if (items == null) {
            items = new java.util.ArrayList<>();
            for (int j = 0; j < k; j++) {
                items.add(new int[] {j});
            }
        }
        // Windows near the border have smaller regions: work is claimed one item at a time,
        // largest first, so the threads finish together (in pairs, in window order, a thread
        // waited for 6 % of this step's time).
        items.sort((p, q) -> Long.compare(area(outBox, q), area(outBox, p)));
        List<int[]> work = items;
        Parallel.forRange(work.size(), 1, work.size(), (from, to) -> {
            for (int t = from; t < to; t++) {
                int[] copies = work.get(t);
                try (Buffers.Shared.Use use = regionArrays.open()) {
                    if (copies.length > 1) {
                        winogradBatch(n, g, (Region) state.get(n.inputs().get(0)), outBox, copies, out, relu);
                        continue;
                    }
                    int j = copies[0];
                    out.data[j] = Region.area(outBox[j]) == 0 ? new float[0]
                            : g != null ? windowed(n, g, (Region) state.get(n.inputs().get(0)), j, outBox[j], relu)
                            : pixelwise(n, state, j, outBox[j], y.dim(1), relu);
                }
            }
        });
        state.put(relu ? reluOutput : n.outputs().stream().filter(o -> !o.isEmpty()).findFirst().orElseThrow(), out);
        return true;
    }

    private static int[] union(int[] a, int[] b) {
        if (a == null || Region.area(a) == 0) {
            return b.clone();
        }
        if (Region.area(b) == 0) {
            return a;
        }
        return new int[] {Math.min(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.max(a[3], b[3])};
    }

    /** Outputs [o0, o1) along one axis whose window meets inputs [lo, hi). */
    static int[] outRange(int lo, int hi, int pad, int kernel, int stride, int dilation, int outLen) {
        if (lo >= hi) {
            return new int[] {0, 0};
        }
        int o0 = Math.max(0, -Math.floorDiv(-(lo + pad - (kernel - 1) * dilation), stride));
        int o1 = Math.min(outLen, Math.floorDiv(hi - 1 + pad, stride) + 1);
        return o0 < o1 ? new int[] {o0, o1} : new int[] {0, 0};
    }

    /**
     * The input rows [y0, y1) and cols [x0, x1) that the windows of outputs {@code ob} span inside
     * the image, and the geometry of the op on that crop (the pads are what remains at the border).
     */
    private record Crop(int y0, int y1, int x0, int x1, Window2d sub) {
        static Crop of(Node n, Window2d g, Region in, int[] ob) {
            // Input rows/cols the windows span (in unpadded coordinates), then the part inside the image.
            int ry0 = ob[0] * g.sh() - g.padTop();
            int ry1 = (ob[1] - 1) * g.sh() - g.padTop() + (g.kh() - 1) * g.dh() + 1;
            int rx0 = ob[2] * g.sw() - g.padLeft();
            int rx1 = (ob[3] - 1) * g.sw() - g.padLeft() + (g.kw() - 1) * g.dw() + 1;
            int cy0 = Math.max(0, ry0);
            int cy1 = Math.min(in.h, ry1);
            int cx0 = Math.max(0, rx0);
            int cx1 = Math.min(in.w, rx1);
            Window2d sub = Window2d.of(cy1 - cy0, cx1 - cx0, g.kh(), g.kw(), g.sh(), g.sw(), g.dh(), g.dw(),
                    cy0 - ry0, cx0 - rx0, ry1 - cy1, rx1 - cx1, false);
            if (sub.oh() != ob[1] - ob[0] || sub.ow() != ob[3] - ob[2]) {
                throw new IllegalStateException("region geometry mismatch at " + n.name());
            }
            return new Crop(cy0, cy1, cx0, cx1, sub);
        }
    }

    /** Conv or pooling on the crop of the input that outputs {@code ob} feed on. */
    private float[] windowed(Node n, Window2d g, Region in, int j, int[] ob, boolean relu) {
        Crop cr = Crop.of(n, g, in, ob);
        float[] x = crop(clean.get(n.inputs().get(0)), in, j, cr.y0, cr.y1, cr.x0, cr.x1);
        float[] y = windowedOnCrop(n, in.c, cr.sub, x, relu);
        Buffers.release(x);
        return y;
    }

    private static long area(int[][] boxes, int[] copies) {
        long a = 0;
        for (int j : copies) {
            a += Region.area(boxes[j]);
        }
        return a;
    }

    /**
     * For a Winograd convolution, the copies as work items: those whose crops share one geometry
     * (all but the copies at the borders, as a rule) in one batch per thread, the rest alone; null
     * for other ops. A batch's tiles fill the columns of one product per position instead of a few
     * narrow ones per copy, and the transformed weights are read once per batch instead of once
     * per copy.
     */
    private List<int[]> winogradBatches(Node n, Window2d g, Region in, int[][] outBox) {
        if (!BATCHED || !(n.op() instanceof Conv conv)) {
            return null;
        }
        Tensor wt = clean.get(n.inputs().get(1));
        if (wt.dim(1) == 1 || !Winograd.applies(g, in.c, wt.dim(0), conv.group())) {
            return null;
        }
        Map<Window2d, List<Integer>> groups = new java.util.LinkedHashMap<>();
        List<int[]> items = new java.util.ArrayList<>();
        for (int j = 0; j < outBox.length; j++) {
            if (Region.area(outBox[j]) > 0) {
                groups.computeIfAbsent(Crop.of(n, g, in, outBox[j]).sub, s -> new java.util.ArrayList<>()).add(j);
            } else {
                items.add(new int[] {j});
            }
        }
        // Inside a parallel section (a thread's own batch of windows) the items run serially: one batch.
        int threads = Parallel.insideSection() ? 1 : Parallel.threads();
        for (List<Integer> copies : groups.values()) {
            // Split so each thread gets a batch; the split is fixed by the group's size and the thread count.
            int parts = Math.min(copies.size(), threads);
            for (int p = 0; p < parts; p++) {
                int from = copies.size() * p / parts;
                int to = copies.size() * (p + 1) / parts;
                items.add(copies.subList(from, to).stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return items;
    }

    /** One batch of {@link #winogradBatches}: the copies' crops stacked, one Winograd call, the outputs left in place. */
    private void winogradBatch(Node n, Window2d g, Region in, int[][] outBox, int[] copies, Region out, boolean relu) {
        Tensor wt = clean.get(n.inputs().get(1));
        int m = wt.dim(0);
        float[] w = wt.data();
        float[] bias = bias(n);
        Tensor source = clean.get(n.inputs().get(0));
        int b = copies.length;
        Crop[] crops = new Crop[b];
        for (int q = 0; q < b; q++) {
            crops[q] = Crop.of(n, g, in, outBox[copies[q]]);
        }
        Window2d sub = crops[0].sub;
        int inSize = in.c * sub.inPlane();
        int outSize = m * sub.outPlane();
        float[] x = Buffers.output(b * inSize);
        for (int q = 0; q < b; q++) {
            cropInto(source, in, copies[q], crops[q].y0, crops[q].y1, crops[q].x0, crops[q].x1, x, q * inSize);
        }
        float[] y = Buffers.output(b * outSize);
        Winograd.forward(x, b, in.c, m, w, bias, sub, relu, y);
        Buffers.release(x);
        for (int q = 0; q < b; q++) {
            out.data[copies[q]] = y;
            out.off[copies[q]] = q * outSize;
        }
    }

    /** A convolution node's bias, or null when it has none. */
    private float[] bias(Node n) {
        return n.inputs().size() > 2 && !n.inputs().get(2).isEmpty() ? clean.get(n.inputs().get(2)).data() : null;
    }

    /** The op of node n on one crop; a fused ReLU (conv only) as the kernels store their outputs. */
    private float[] windowedOnCrop(Node n, int c, Window2d sub, float[] x, boolean relu) {
        Op op = n.op();
        if (op instanceof MaxPool) {
            float[] y = Buffers.output(c * sub.outPlane());
            Pooling.maxPool(x, c, sub, y);
            return y;
        }
        if (op instanceof AveragePool ap) {
            float[] y = Buffers.output(c * sub.outPlane());
            Pooling.avgPool(x, c, sub, ap.countIncludePad(), y);
            return y;
        }
        Conv conv = (Conv) op;
        Tensor wt = clean.get(n.inputs().get(1));
        float[] w = wt.data();
        float[] bias = bias(n);
        int m = wt.dim(0);
        int np = sub.outPlane();
        float[] y = Buffers.output(m * np);
        // The same kernels, in the same way, as Conv.forward.
        if (wt.dim(1) == 1) {
            DepthwiseConv.forward(x, 1, c, m / c, sub, w, bias, y);
            if (relu) {
                Relu.inPlace(y);
            }
            return y;
        }
        int group = conv.group();
        if (FewChannelConv.applies(sub, c, group)) {
            // Only crops with rows as wide as the kernel's tile; narrower ones take the GEMM below,
            // which sums in another order, so their values equal the clean pass's up to rounding.
            FewChannelConv.forward(x, 1, c, m, w, bias, relu, sub, y);
            return y;
        }
        if (Winograd.applies(sub, c, m, group)) {
            // Winograd's tiles of the crop are not those of the whole image, so these values equal
            // the clean pass's up to float rounding (as the batched plain occlusion does), not bit for bit.
            Winograd.forward(x, 1, c, m, w, bias, sub, relu, y);
            return y;
        }
        int cg = c / group;
        int mg = m / group;
        int kdim = cg * sub.kh() * sub.kw();
        for (int gr = 0; gr < group; gr++) {
            int xOff = gr * cg * sub.inPlane();
            Gemm.PanelSource source = sub.isPointwise() ? Gemm.storedB(x, xOff, np)
                    // im2col of the crop straight into the GEMM's packed layout.
                    : (p0, kc, j0, j1, nr, dst) -> Im2col.pack(x, xOff, sub, false, p0, kc, j0, j1, nr, dst);
            // The bias joins as Conv.forward adds it: as the GEMM stores its tiles.
            Gemm.sgemmConstantA(mg, np, kdim, w, gr * mg * kdim, kdim, source, y, gr * mg * np, np, bias, gr * mg, relu);
        }
        return y;
    }

    /** A pixel-wise op on the crops of its inputs to box {@code b}. */
    private float[] pixelwise(Node n, Map<String, Object> state, int j, int[] b, int outChannels, boolean relu) {
        int h = b[1] - b[0];
        int w = b[3] - b[2];
        Tensor[] args = new Tensor[n.inputs().size()];
        for (int a = 0; a < args.length; a++) {
            String name = n.inputs().get(a);
            if (name.isEmpty()) {
                continue;
            }
            Tensor t = clean.get(name);
            Region r = dependent.contains(name) ? (Region) state.get(name) : null;
            // analyse() checked that image-independent tensors are either 1x1 per plane or image-sized.
            if (r != null || (t.rank() >= 2 && t.dim(-2) * t.dim(-1) > 1)) {
                int[] s = t.shape();
                s[s.length - 2] = h;
                s[s.length - 1] = w;
                args[a] = new Tensor(s, crop(t, r, j, b[0], b[1], b[2], b[3]));
            } else {
                args[a] = t;
            }
        }
        float[] y = relu ? ((FusesRelu) n.op()).forwardWithRelu(args).data() : n.op().forward(args, new Saved())[0].data();
        if (y.length != outChannels * h * w) {
            throw new IllegalStateException("region size mismatch at " + n.name());
        }
        for (Tensor a : args) {
            // The crops are dead unless the op handed one back as its output (Identity, Dropout).
            if (a != null && a.data() != y) {
                Buffers.release(a.data());
            }
        }
        return y;
    }

    /**
     * Rows [y0, y1) x cols [x0, x1) of every plane of t (over its last two axes), with copy j's box
     * of r laid over the clean values when r is given.
     */
    private static float[] crop(Tensor t, Region r, int j, int y0, int y1, int x0, int x1) {
        int planes = t.size() / (t.dim(-2) * t.dim(-1));
        float[] out = Buffers.output(planes * (y1 - y0) * (x1 - x0));
        cropInto(t, r, j, y0, y1, x0, x1, out, 0);
        return out;
    }

    /** As {@link #crop}, written to {@code out} from {@code outOff} on. out modified. */
    private static void cropInto(Tensor t, Region r, int j, int y0, int y1, int x0, int x1, float[] out, int outOff) {
        int th = t.dim(-2);
        int tw = t.dim(-1);
        int planes = t.size() / (th * tw);
        int h = y1 - y0;
        int w = x1 - x0;
        float[] src = t.data();
        int[] rb = r == null ? null : r.box[j];
        // The clean values are needed only where the box leaves part of the crop uncovered.
        boolean covered = rb != null && rb[0] <= y0 && y1 <= rb[1] && rb[2] <= x0 && x1 <= rb[3];
        for (int p = 0; p < planes && !covered; p++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, (p * th + y0 + y) * tw + x0, out, outOff + (p * h + y) * w, w);
            }
        }
        if (r == null || Region.area(r.box[j]) == 0) {
            return;
        }
        int[] b = r.box[j];
        int iy0 = Math.max(y0, b[0]);
        int iy1 = Math.min(y1, b[1]);
        int ix0 = Math.max(x0, b[2]);
        int ix1 = Math.min(x1, b[3]);
        if (iy0 >= iy1 || ix0 >= ix1) {
            return;
        }
        int bh = b[1] - b[0];
        int bw = b[3] - b[2];
        float[] d = r.data[j];
        int dOff = r.off[j];
        for (int p = 0; p < planes; p++) {
            for (int y = iy0; y < iy1; y++) {
                System.arraycopy(d, dOff + (p * bh + y - b[0]) * bw + ix0 - b[2], out, outOff + (p * h + y - y0) * w + ix0 - x0,
                        ix1 - ix0);
            }
        }
    }
}
