package dev.loupe.onnx;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.onnx.testing.Compare;
import dev.loupe.onnx.testing.EngineOps;
import dev.loupe.onnx.testing.OnnxBuilder;
import dev.loupe.onnx.testing.OrtOracle;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime as an independent forward oracle: small graphs that reproduce the layer patterns of
 * the classic CNN families run in both ORT and Loupe on the same random input.
 */
class OrtComparisonTest {
    private static final double RTOL = 1e-4;
    private static final double ATOL_FRACTION = 1e-5;

    private final Random rng = new Random(2024);

    /** Runs both engines on input "x" and compares every graph output. */
    private void compare(String what, OnnxBuilder b, Tensor x) throws Exception {
        byte[] model = b.bytes();
        // ORT first: the test graph itself is checked even while the engine still lacks an op
        Map<String, Tensor> expected = OrtOracle.run(model, Map.of("x", x));
        EngineOps.assumeSupported(b.build());
        Graph g = OnnxImporter.load(model, null);
        Trace t = Executor.forward(g, x);
        assertFalse(expected.isEmpty());
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            double err = Compare.assertClose(what + " output " + e.getKey(), e.getValue(), t.get(e.getKey()), RTOL, ATOL_FRACTION);
            System.out.printf("ORT vs Loupe %s [%s]: max |error| %.3g (max |ref| %.3g)%n", what, e.getKey(), err,
                    Compare.maxAbs(e.getValue()));
        }
    }

    private Tensor w(int... shape) {
        return OnnxBuilder.random(rng, 0.3f, shape);
    }

    private String batchNorm(OnnxBuilder b, String x, int c, String prefix) {
        return b.op("BatchNormalization", new String[] {x, b.weight(prefix + ".gamma", OnnxBuilder.uniform(rng, 0.5f, 1.5f, c)),
                b.weight(prefix + ".beta", w(c)), b.weight(prefix + ".mean", w(c)),
                b.weight(prefix + ".var", OnnxBuilder.uniform(rng, 0.5f, 2f, c))}, "epsilon", 1e-5f);
    }

    @Test
    void reluWithBypassedNoOps() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 3, 4);
        String id = b.op("Identity", new String[] {"x"});
        String r = b.op("Relu", new String[] {id});
        b.output(b.op("Identity", new String[] {r}));
        compare("Relu", b, w(2, 3, 4));
    }

    @Test
    void denseNetBatchNormAfterConcat() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 4, 9, 9);
        String bn0 = batchNorm(b, "x", 4, "bn0");
        String r0 = b.op("Relu", new String[] {bn0});
        String c1 = b.op("Conv", new String[] {r0, b.weight("c1.w", w(6, 4, 3, 3))}, "pads", new int[] {1, 1, 1, 1},
                "kernel_shape", new int[] {3, 3});
        String cat = b.op("Concat", new String[] {"x", c1}, "axis", 1);
        String bn1 = batchNorm(b, cat, 10, "bn1");
        String r1 = b.op("Relu", new String[] {bn1});
        // transition: 1x1 conv then 2x2 average pool
        String t = b.op("Conv", new String[] {r1, b.weight("t.w", w(5, 10, 1, 1))}, "kernel_shape", new int[] {1, 1});
        String p = b.op("AveragePool", new String[] {t}, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
        b.output(p).output(cat);
        compare("DenseNet block", b, w(2, 4, 9, 9));
    }

    @Test
    void alexNetLrnPoolingCeilMode() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 3, 35, 35);
        String c = b.op("Conv", new String[] {"x", b.weight("c.w", w(8, 3, 7, 7)), b.weight("c.b", w(8))},
                "strides", new int[] {3, 3}, "pads", new int[] {2, 2, 2, 2}, "kernel_shape", new int[] {7, 7});
        String r = b.op("Relu", new String[] {c});
        String lrn = b.op("LRN", new String[] {r}, "size", 5, "alpha", 1e-4f, "beta", 0.75f, "bias", 2f);
        String mp = b.op("MaxPool", new String[] {lrn}, "kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2},
                "ceil_mode", 1);
        String ap = b.op("AveragePool", new String[] {mp}, "kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2},
                "pads", new int[] {1, 1, 1, 1}, "count_include_pad", 0);
        String ap2 = b.op("AveragePool", new String[] {mp}, "kernel_shape", new int[] {3, 3}, "strides", new int[] {1, 1},
                "pads", new int[] {1, 1, 1, 1}, "count_include_pad", 1);
        String ap3 = b.op("AveragePool", new String[] {mp}, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2},
                "ceil_mode", 1);
        b.output(lrn).output(mp).output(ap).output(ap2).output(ap3);
        compare("AlexNet LRN/pools", b, w(2, 3, 35, 35));
    }

    @Test
    void vggThreeByThreeStacks() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 3, 16, 16);
        String h = "x";
        int cin = 3;
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < 2; k++) {
                int cout = 8 * (i + 1);
                h = b.op("Conv", new String[] {h, b.weight("c" + i + k + ".w", w(cout, cin, 3, 3)),
                        b.weight("c" + i + k + ".b", w(cout))}, "pads", new int[] {1, 1, 1, 1}, "kernel_shape", new int[] {3, 3});
                h = b.op("Relu", new String[] {h});
                cin = cout;
            }
            h = b.op("MaxPool", new String[] {h}, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
        }
        String f = b.op("Flatten", new String[] {h}, "axis", 1);
        String fc = b.op("Gemm", new String[] {f, b.weight("fc.w", w(10, 16 * 4 * 4)), b.weight("fc.b", w(10))}, "transB", 1);
        b.output(fc);
        compare("VGG stack", b, w(2, 3, 16, 16));
    }

    @Test
    void mobileNetDepthwiseConvAndClip() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 6, 11, 11);
        String min = b.weight("min", Tensor.scalar(0f));
        String max = b.weight("max", Tensor.scalar(6f));
        String dw = b.op("Conv", new String[] {"x", b.weight("dw.w", w(6, 1, 3, 3)), b.weight("dw.b", w(6))}, "group", 6,
                "strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1}, "kernel_shape", new int[] {3, 3});
        String c = b.op("Clip", new String[] {dw, min, max});
        String pw = b.op("Conv", new String[] {c, b.weight("pw.w", w(4, 6, 1, 1))});
        String dm = b.op("Conv", new String[] {"x", b.weight("dm.w", w(12, 1, 3, 3))}, "group", 6, "dilations", new int[] {2, 2});
        String gp = b.op("Conv", new String[] {"x", b.weight("gp.w", w(4, 3, 3, 3))}, "group", 2,
                "pads", new int[] {0, 1, 2, 1});
        b.output(pw).output(dm).output(gp);
        compare("depthwise/grouped conv", b, OnnxBuilder.random(rng, 3f, 2, 6, 11, 11));
    }

    @Test
    void gemmVariants() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 7);
        String g1 = b.op("Gemm", new String[] {"x", b.weight("w1", w(5, 7)), b.weight("b1", w(5))}, "transB", 1);
        String g2 = b.op("Gemm", new String[] {"x", b.weight("w2", w(7, 4)), b.weight("b2", w(1, 4))}, "alpha", 0.5f,
                "beta", 2f);
        String g3 = b.op("Gemm", new String[] {"x", b.weight("w3", w(3, 7))}, "transB", 1);
        b.output(g1).output(g2).output(g3);
        compare("Gemm", b, w(3, 7));
    }

    @Test
    void padThenPool() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 2, 5, 6);
        String pads = b.int64s("pads", 0, 0, 1, 2, 0, 0, 2, 1);
        String p = b.op("Pad", new String[] {"x", pads}, "mode", "constant");
        String pv = b.op("Pad", new String[] {"x", pads, b.weight("v", Tensor.scalar(0.5f))}, "mode", "constant");
        String ap = b.op("AveragePool", new String[] {p}, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
        b.output(p).output(pv).output(ap);
        compare("Pad", b, w(2, 2, 5, 6));
    }

    @Test
    void reshapeFromShapeSubgraph() throws Exception {
        // torch.flatten(x, 1) as older exporters write it: Shape → Gather → Unsqueeze → Concat → Reshape
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 4, 3, 3);
        String s = b.op("Shape", new String[] {"x"});
        b.initializer(OnnxBuilder.int64Tensor("zero", new long[0], 0)); // a scalar index
        String n = b.op("Gather", new String[] {s, "zero"}, "axis", 0);
        String u = b.op("Unsqueeze", new String[] {n, b.int64s("axes0", 0)});
        String shape = b.op("Concat", new String[] {u, b.int64s("minus1", -1)}, "axis", 0);
        String r = b.op("Reshape", new String[] {"x", shape});
        String fc = b.op("Gemm", new String[] {r, b.weight("fc.w", w(5, 36)), b.weight("fc.b", w(5))}, "transB", 1);
        b.output(fc);
        compare("Shape→Reshape", b, w(2, 4, 3, 3));
    }

    @Test
    void softmaxAfterClassifier() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 3, 6, 6);
        String gap = b.op("GlobalAveragePool", new String[] {"x"});
        String f = b.op("Flatten", new String[] {gap});
        String fc = b.op("Gemm", new String[] {f, b.weight("fc.w", w(8, 3)), b.weight("fc.b", w(8))}, "transB", 1);
        b.output(b.op("Softmax", new String[] {fc}));
        b.output(b.op("Softmax", new String[] {"x"}, "axis", 1));
        compare("Softmax", b, OnnxBuilder.random(rng, 4f, 2, 3, 6, 6));
    }

    @Test
    void softmaxDefaultAxisBeforeOpset13() throws Exception {
        OnnxBuilder b = new OnnxBuilder(11).input("x", "N", 2, 3, 3);
        String f = b.op("Flatten", new String[] {"x"});
        b.output(b.op("Softmax", new String[] {f}));
        // rank 4, default axis 1: one softmax over all of C*H*W per image (coerced to 2-D)
        b.output(b.op("Softmax", new String[] {"x"}));
        b.output(b.op("LogSoftmax", new String[] {"x"}, "axis", 2));
        compare("Softmax opset 11", b, OnnxBuilder.random(rng, 4f, 3, 2, 3, 3));
    }

    @Test
    void olderOpsetAttributeFormsBecomeInputs() throws Exception {
        // opset 9/10 pass Clip bounds, Pad pads, (Un)Squeeze axes and Slice ranges as attributes
        OnnxBuilder b = new OnnxBuilder(9).input("x", "N", 2, 4, 4);
        String c = b.op("Clip", new String[] {"x"}, "min", 0f, "max", 0.5f);
        String p = b.op("Pad", new String[] {c}, "pads", new int[] {0, 0, 1, 0, 0, 0, 0, 2}, "value", 0.25f);
        String u = b.op("Unsqueeze", new String[] {p}, "axes", new int[] {0});
        String q = b.op("Squeeze", new String[] {u}, "axes", new int[] {0});
        String s = b.op("Slice", new String[] {q}, "starts", new int[] {1, 0}, "ends", new int[] {3, 100}, "axes", new int[] {2, 3});
        b.output(s);
        compare("opset 9 attribute forms", b, w(2, 2, 4, 4));
    }

    @Test
    void resNetResidualAddAndGlobalPool() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 4, 8, 8);
        String c1 = b.op("Conv", new String[] {"x", b.weight("c1.w", w(4, 4, 3, 3))}, "pads", new int[] {1, 1, 1, 1});
        String r1 = b.op("Relu", new String[] {c1});
        String c2 = b.op("Conv", new String[] {r1, b.weight("c2.w", w(4, 4, 3, 3))}, "pads", new int[] {1, 1, 1, 1});
        String add = b.op("Add", new String[] {c2, "x"});
        String r2 = b.op("Relu", new String[] {add});
        String gap = b.op("GlobalAveragePool", new String[] {r2});
        b.output(b.op("Flatten", new String[] {gap}, "axis", 1));
        compare("ResNet block", b, w(2, 4, 8, 8));
    }
}
