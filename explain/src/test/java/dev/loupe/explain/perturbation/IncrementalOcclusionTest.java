package dev.loupe.explain.perturbation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Op;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.ops.AveragePool;
import dev.loupe.engine.ops.BatchNormalization;
import dev.loupe.engine.ops.Binary;
import dev.loupe.engine.ops.Concat;
import dev.loupe.engine.ops.Conv;
import dev.loupe.engine.ops.MaxPool;
import dev.loupe.engine.ops.Relu;
import dev.loupe.engine.ops.WindowAttrs;
import java.util.List;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.Attribution;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Target;
import dev.loupe.onnx.OnnxImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Incremental occlusion must give plain occlusion's maps (to 1e-5 of their scale). */
class IncrementalOcclusionTest {
    @ParameterizedTest
    @ValueSource(strings = {"tiny_alexnet_lrn", "tiny_dense", "tiny_mobile", "tiny_resnet", "tiny_vgg"})
    void matchesPlainOnParityModels(String model) throws Exception {
        Path dir = Path.of(IncrementalOcclusionTest.class.getResource("/parity/" + model + "/model.onnx").toURI()).getParent();
        Graph g = OnnxImporter.load(dir.resolve("model.onnx"));
        Tensor input = Npy.read(dir.resolve("input.npy"));
        Trace trace = Explainers.forward(g, input);
        // The fixtures' setting, an odd window/stride that leaves border-cut windows, and a non-zero fill.
        compare(trace, Map.of("window", "8", "stride", "4", "fill", "0"), true);
        compare(trace, Map.of("window", "5", "stride", "3", "fill", "mean", "batch", "7"), true);
        compare(trace, Map.of("window", "4", "stride", "2", "fill", "0.5", "batch", "32"), true);
    }

    @Test
    void matchesPlainOnResNet18() throws Exception {
        Path model = Path.of("../../shared/models/resnet18.onnx");
        if (!Files.exists(model)) {
            model = Path.of("/work/wt/shared/models/resnet18.onnx");
        }
        Assumptions.assumeTrue(Files.exists(model), "resnet18.onnx not present");
        Graph g = OnnxImporter.load(model);
        Random r = new Random(7);
        float[] x = new float[3 * 224 * 224];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Tensor image = new Tensor(new int[] {1, 3, 224, 224}, x);
        Trace trace = Explainers.forward(g, image);
        // Window 32, stride 16: corners, edges and the middle of the 13 x 13 positions, against whole passes.
        int[][] boxes = {{0, 32, 0, 32}, {0, 32, 192, 224}, {192, 224, 0, 32}, {192, 224, 192, 224}, {96, 128, 96, 128},
            {16, 48, 112, 144}, {112, 144, 0, 32}, {176, 208, 160, 192}};
        float[][] values = new float[boxes.length][];
        float[] batch = new float[boxes.length * x.length];
        for (int j = 0; j < boxes.length; j++) {
            int[] b = boxes[j];
            values[j] = new float[3 * 32 * 32];
            System.arraycopy(x, 0, batch, j * x.length, x.length);
            for (int c = 0; c < 3; c++) {
                for (int y = b[0]; y < b[1]; y++) {
                    for (int xx = b[2]; xx < b[3]; xx++) {
                        batch[j * x.length + (c * 224 + y) * 224 + xx] = 0f;
                    }
                }
            }
        }
        Graph bg = dev.loupe.explain.Models.batchable(g);
        Tensor want = dev.loupe.explain.Models.logits(dev.loupe.explain.Models.forward(bg,
                new Tensor(new int[] {boxes.length, 3, 224, 224}, batch)));
        Tensor got = new IncrementalForward(trace.graph(), trace, dev.loupe.explain.Models.inputName(bg)).run(boxes, values);
        System.out.println("OCC resnet18 logits maxdiff " + maxDiff(want, got));
        assertClose(want, got, "resnet18 logits");
    }

    /** Odd geometry: pads on one side, stride 2, dilation, groups, depthwise, ceil-mode pools, include-pad averages, Add, Concat. */
    @Test
    void matchesPlainOnOddGeometry() {
        Random r = new Random(11);
        Map<String, Tensor> consts = new HashMap<>();
        consts.put("w1", random(r, 6, 3, 3, 3));
        consts.put("b1", random(r, 6));
        consts.put("w2", random(r, 6, 2, 3, 3));
        consts.put("w3", random(r, 12, 1, 3, 3));
        consts.put("b3", random(r, 12));
        consts.put("w4", random(r, 12, 6, 1, 1));
        consts.put("w5", random(r, 12, 6, 1, 1));
        consts.put("scale", random(r, 6));
        consts.put("bias", random(r, 6));
        consts.put("mean", random(r, 6));
        Tensor var = random(r, 6);
        for (int i = 0; i < 6; i++) {
            var.data()[i] = Math.abs(var.data()[i]) + 0.5f;
        }
        consts.put("var", var);
        Tensor dense = random(r, 5, 24);
        List<Node> nodes = List.of(
                node(new Conv(1, WindowAttrs.of(null, new int[] {2, 2}, new int[] {1, 0, 2, 1})), "c1", "x", "w1", "b1"),
                node(new Relu(), "r1", "c1"),
                node(new MaxPool(WindowAttrs.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1}).withCeilMode(true)), "p1", "r1"),
                node(new Conv(3, WindowAttrs.of(null, new int[] {1, 1}, new int[] {2, 2, 2, 2}).withDilations(2, 2)), "c2", "p1", "w2"),
                node(new BatchNormalization(1e-5f), "bn", "c2", "scale", "bias", "mean", "var"),
                node(new Conv(6, WindowAttrs.of(null, new int[] {1, 1}, new int[] {1, 1, 1, 1})), "c3", "bn", "w3", "b3"),
                node(new AveragePool(WindowAttrs.of(new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0, 1, 1}), true), "a1", "c3"),
                node(new Conv(1, WindowAttrs.of(null, new int[] {1, 1}, new int[] {0, 0, 0, 0})), "c4", "bn", "w4"),
                node(new Binary(Binary.Kind.ADD), "sum", "a1", "c4"),
                node(new AveragePool(WindowAttrs.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1}).withCeilMode(true), false),
                        "a2", "sum"),
                node(new Conv(1, WindowAttrs.of(null, new int[] {2, 2}, new int[] {0, 0, 0, 0})), "c5", "p1", "w5"),
                node(new MaxPool(WindowAttrs.of(new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0, 1, 1})), "p2", "c5"),
                node(new Concat(1), "cat", "a2", "p2"),
                node(new dev.loupe.engine.ops.GlobalAveragePool(), "gap", "cat"),
                node(new dev.loupe.engine.ops.Flatten(1), "flat", "gap"),
                node(new dev.loupe.explain.testing.TestOps.Dense(dense, new float[5]), "logits", "flat"));
        Graph g = new Graph(nodes, consts, List.of(ValueInfo.of("x", 1, 3, 23, 19)), List.of(ValueInfo.of("logits")));
        Trace trace = Explainers.forward(g, random(r, 1, 3, 23, 19));
        compare(trace, Map.of("window", "4", "stride", "3", "fill", "0.25"), true);
        compare(trace, Map.of("window", "5", "stride", "2", "batch", "5"), true);
        compare(trace, Map.of("window", "1", "stride", "1"), true);
        // Boxes all the way to the global pool, even where they cover the whole plane.
        double share = IncrementalForward.fullShare;
        IncrementalForward.fullShare = 2;
        try {
            compare(trace, Map.of("window", "4", "stride", "3", "fill", "0.25"), true);
            compare(trace, Map.of("window", "2", "stride", "1", "batch", "64"), true);
        } finally {
            IncrementalForward.fullShare = share;
        }
    }

    private static Node node(Op op, String out, String... in) {
        return new Node(out, op, List.of(in), List.of(out));
    }

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }

    @Test
    void batchOfTwoImagesMatchesPlain() throws Exception {
        Path dir = Path.of(IncrementalOcclusionTest.class.getResource("/parity/tiny_resnet/model.onnx").toURI()).getParent();
        Graph g = OnnxImporter.load(dir.resolve("model.onnx"));
        Tensor one = Npy.read(dir.resolve("input.npy"));
        float[] two = new float[2 * one.size()];
        for (int i = 0; i < one.size(); i++) {
            two[i] = one.data()[i];
            two[one.size() + i] = -0.5f * one.data()[one.size() - 1 - i];
        }
        int[] shape = one.shape();
        shape[0] = 2;
        compare(Explainers.forward(g, new Tensor(shape, two)), Map.of("window", "6", "stride", "3"), true);
    }

    /**
     * On two threads each takes whole batches of windows (OrderedBatches) and the incremental
     * pass's pools are per batch: one thread or two, plain or incremental, the same maps.
     */
    @Test
    void oneThreadOrTwoGiveTheSameMaps() throws Exception {
        Path dir = Path.of(IncrementalOcclusionTest.class.getResource("/parity/tiny_resnet/model.onnx").toURI()).getParent();
        Graph g = OnnxImporter.load(dir.resolve("model.onnx"));
        Trace trace = Explainers.forward(g, Npy.read(dir.resolve("input.npy")));
        int before = dev.loupe.engine.Parallel.threads();
        try {
            for (String incremental : new String[] {"true", "false"}) {
                Map<String, String> o = Map.of("window", "5", "stride", "2", "batch", "9", "incremental", incremental);
                dev.loupe.engine.Parallel.setThreads(1);
                Attribution one = Explainers.explain(trace, "occlusion", Target.predicted(), o, null);
                dev.loupe.engine.Parallel.setThreads(2);
                Attribution two = Explainers.explain(trace, "occlusion", Target.predicted(), o, null);
                assertEquals(one.info().get("path"), two.info().get("path"));
                assertClose(one.map(), two.map(), "incremental " + incremental);
                assertClose((Tensor) one.info().get("probabilityDrop"), (Tensor) two.info().get("probabilityDrop"),
                        "incremental " + incremental + " prob");
            }
        } finally {
            dev.loupe.engine.Parallel.setThreads(before);
        }
    }

    @Test
    void incrementalFalseForcesPlain() throws Exception {
        Path dir = Path.of(IncrementalOcclusionTest.class.getResource("/parity/tiny_vgg/model.onnx").toURI()).getParent();
        Graph g = OnnxImporter.load(dir.resolve("model.onnx"));
        Trace trace = Explainers.forward(g, Npy.read(dir.resolve("input.npy")));
        Attribution a = Explainers.explain(trace, "occlusion", Target.predicted(), Map.of("incremental", "false"), null);
        assertEquals("plain", a.info().get("path"));
    }

    private static void compare(Trace trace, Map<String, String> options, boolean expectIncremental) {
        Map<String, String> plainOpts = new HashMap<>(options);
        plainOpts.put("incremental", "false");
        Attribution plain = Explainers.explain(trace, "occlusion", Target.predicted(), plainOpts, null);
        Attribution inc = Explainers.explain(trace, "occlusion", Target.predicted(), options, null);
        if (expectIncremental) {
            assertEquals("incremental", inc.info().get("path"), String.valueOf(inc.info().get("incrementalFallback")));
        }
        System.out.println("OCC " + options + " plain " + plain.elapsed().toMillis() + " ms, incremental " + inc.elapsed().toMillis() + " ms, maxdiff " + maxDiff(plain.map(), inc.map()));
        assertClose(plain.map(), inc.map(), options.toString());
        assertClose((Tensor) plain.info().get("probabilityDrop"), (Tensor) inc.info().get("probabilityDrop"), options + " prob");
    }

    static void assertClose(Tensor want, Tensor got, String what) {
        float[] a = want.data();
        float[] b = got.data();
        assertEquals(a.length, b.length);
        double scale = 0;
        for (float v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        assertTrue(worst <= 1e-5 * Math.max(1e-3, scale), what + ": max diff " + worst + " at scale " + scale);
    }

    static double maxDiff(Tensor a, Tensor b) {
        double worst = 0;
        for (int i = 0; i < a.size(); i++) {
            worst = Math.max(worst, Math.abs(a.data()[i] - b.data()[i]));
        }
        return worst;
    }
}
