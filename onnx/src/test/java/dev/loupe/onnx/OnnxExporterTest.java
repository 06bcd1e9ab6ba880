package dev.loupe.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.ops.Attributes;
import dev.loupe.engine.ops.OpFactory;
import dev.loupe.engine.ops.UnsupportedOpException;
import dev.loupe.engine.train.ModelBuilder;
import dev.loupe.onnx.proto.ModelProto;
import dev.loupe.onnx.proto.TensorProto;
import dev.loupe.onnx.testing.Compare;
import dev.loupe.onnx.testing.OnnxBuilder;
import dev.loupe.onnx.testing.OrtOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graphs built in the engine, written by {@link OnnxExporter}, read back by Loupe and by ONNX Runtime. */
class OnnxExporterTest {
    @TempDir
    Path dir;

    private final Random rng = new Random(77);

    /** Builds a graph node by node through {@link OpFactory}, as the importer would from the same attributes. */
    private final class G {
        final List<Node> nodes = new ArrayList<>();
        final Map<String, Tensor> constants = new LinkedHashMap<>();
        int counter;

        String weight(String name, Tensor t) {
            constants.put(name, t);
            return name;
        }

        String op(String type, String[] inputs, Object... attributes) {
            String out = type.toLowerCase() + "_" + counter++;
            nodes.add(new Node("n" + counter + "_" + type, OpFactory.create(type, "n", Attributes.of(attributes)), List.of(inputs),
                    List.of(out)));
            return out;
        }

        Graph graph(ValueInfo input, String output) {
            return new Graph(nodes, constants, List.of(input), List.of(new ValueInfo(output, null, null)));
        }
    }

    private Tensor w(float scale, int... shape) {
        return OnnxBuilder.random(rng, scale, shape);
    }

    /** The layers a Loupe-trained classifier uses: Conv, Relu, MaxPool, Flatten, Gemm, then Softmax. */
    private Graph smallCnn() {
        G g = new G();
        String x = g.op("Conv", new String[] {"input", g.weight("conv1.weight", w(0.3f, 4, 1, 3, 3)), g.weight("conv1.bias", w(0.1f, 4))},
                "pads", new int[] {1, 1, 1, 1});
        x = g.op("Relu", new String[] {x});
        x = g.op("MaxPool", new String[] {x}, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
        x = g.op("Conv", new String[] {x, g.weight("conv2.weight", w(0.3f, 6, 4, 3, 3)), g.weight("conv2.bias", w(0.1f, 6))},
                "pads", new int[] {1, 1, 1, 1}, "strides", new int[] {2, 2});
        x = g.op("Relu", new String[] {x});
        x = g.op("Flatten", new String[] {x}, "axis", 1);
        x = g.op("Gemm", new String[] {x, g.weight("fc.weight", w(0.2f, 5, 6 * 2 * 2)), g.weight("fc.bias", w(0.1f, 5))},
                "transB", 1, "alpha", 1.0, "beta", 1.0);
        String y = g.op("Softmax", new String[] {x}, "axis", -1);
        return g.graph(new ValueInfo("input", new int[] {-1, 1, 8, 8}, new String[] {"batch", null, null, null}), y);
    }

    /** The remaining listed ops: BatchNormalization, Add (a residual), GlobalAveragePool, Reshape, grouped Conv, AveragePool. */
    private Graph residualNet() {
        G g = new G();
        String c = g.op("Conv", new String[] {"x", g.weight("c.w", w(0.3f, 4, 2, 3, 3))}, "pads", new int[] {1, 1, 1, 1});
        String bn = g.op("BatchNormalization", new String[] {c, g.weight("bn.scale", w(0.5f, 4)), g.weight("bn.B", w(0.1f, 4)),
                g.weight("bn.mean", w(0.1f, 4)), g.weight("bn.var", OnnxBuilder.uniform(rng, 0.5f, 2f, 4))}, "epsilon", 1e-3);
        String r = g.op("Relu", new String[] {bn});
        String dw = g.op("Conv", new String[] {r, g.weight("dw.w", w(0.3f, 4, 1, 3, 3)), g.weight("dw.b", w(0.1f, 4))},
                "group", 4, "auto_pad", "SAME_UPPER");
        String sum = g.op("Add", new String[] {dw, r});
        String pooled = g.op("AveragePool", new String[] {sum}, "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2},
                "ceil_mode", 1);
        String gap = g.op("GlobalAveragePool", new String[] {pooled});
        String flat = g.op("Reshape", new String[] {gap, g.weight("shape", Tensor.of(new float[] {-1, 4}, 2))});
        String y = g.op("Gemm", new String[] {g.weight("fc.w", w(0.3f, 3, 4)), flat, g.weight("fc.b", w(0.1f, 3, 1))},
                "transB", 1, "alpha", 0.5, "beta", 2.0);
        return g.graph(ValueInfo.of("x", -1, 2, 7, 7), y);
    }

    private void roundTrip(String what, Graph graph, Tensor x) throws Exception {
        Path file = dir.resolve(what + ".onnx");
        OnnxExporter.save(graph, file, Map.of("trained_by", "test"));
        Tensor expected = Executor.forward(graph, x).output();
        // Loupe reads back the same graph: same ops, same float weights, so bit-identical outputs.
        OnnxModel back = OnnxImporter.loadModel(file);
        assertEquals(OnnxExporter.OPSET, back.opsetVersion());
        assertEquals("loupe", back.producerName());
        assertEquals("test", back.metadata().get("trained_by"));
        assertEquals(graph.inputs().get(0).name(), back.inputs().get(0).name());
        assertArrayEquals(graph.inputs().get(0).shape(), back.inputs().get(0).shape());
        assertArrayEquals(expected.data(), Executor.forward(back.graph(), x).output().data(), what + ": Loupe round trip");
        // ONNX Runtime loads the file and agrees.
        Map<String, Tensor> ort = OrtOracle.run(Files.readAllBytes(file), Map.of(graph.inputs().get(0).name(), x));
        Tensor ortOut = ort.get(graph.outputs().get(0).name());
        double err = Compare.assertClose(what + ": ORT", ortOut, expected, 1e-4, 1e-5);
        System.out.printf("EXPORT %s: ORT vs Loupe max |error| %.3g%n", what, err);
    }

    @Test
    void smallCnnRoundTripsThroughLoupeAndOrt() throws Exception {
        Graph g = smallCnn();
        roundTrip("small_cnn", g, w(1f, 3, 1, 8, 8));
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("small_cnn.onnx")));
        // A symbolic batch dimension and raw little-endian initializers.
        assertEquals("batch", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        for (TensorProto t : m.getGraph().getInitializerList()) {
            assertTrue(t.hasRawData() && t.getFloatDataCount() == 0, t.getName());
        }
    }

    @Test
    void residualNetRoundTripsThroughLoupeAndOrt() throws Exception {
        Graph g = residualNet();
        roundTrip("residual", g, w(1f, 2, 2, 7, 7));
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("residual.onnx")));
        TensorProto shape = m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("shape")).findFirst().orElseThrow();
        assertEquals(TensorProto.DataType.INT64_VALUE, shape.getDataType());
    }

    /** The architecture of the bundled Fashion-MNIST models: rank-0 Sub/Div constants for the normalisation included. */
    @Test
    void modelBuilderGraphRoundTrips() throws Exception {
        Graph g = new ModelBuilder(1, 28, 28, 5).normalize(0.286f, 0.353f).conv(4, 3, 1).relu().maxPool(2).conv(8, 3, 1).relu()
                .flatten().dense(10).build();
        Tensor x = OnnxBuilder.uniform(rng, 0f, 1f, 2, 1, 28, 28);
        roundTrip("model_builder", g, x);
    }

    /** The committed models/fashion-cnn*.onnx, when this module runs inside the repository: ONNX Runtime agrees. */
    @Test
    void bundledFashionModelsRunInOrt() throws Exception {
        Path models = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && models == null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("models/fashion-cnn.onnx"))) {
                models = p.resolve("models");
            }
        }
        Assumptions.assumeTrue(models != null, "models/fashion-cnn.onnx not found above the working directory");
        for (String name : List.of("fashion-cnn.onnx", "fashion-cnn-biased.onnx")) {
            Path file = models.resolve(name);
            Graph g = OnnxImporter.load(file);
            Tensor x = OnnxBuilder.uniform(rng, 0f, 1f, 3, 1, 28, 28);
            Tensor expected = Executor.forward(g, x).output();
            Tensor ort = OrtOracle.run(Files.readAllBytes(file), Map.of(g.inputs().get(0).name(), x)).get(g.outputs().get(0).name());
            double err = Compare.assertClose(name + ": ORT", ort, expected, 1e-4, 1e-5);
            System.out.printf("EXPORT %s: ORT vs Loupe max |error| %.3g%n", name, err);
        }
    }

    @Test
    void unsupportedOpsAreRefusedBeforeAnythingIsWritten() {
        Op odd = new Op() {
            @Override
            public String type() {
                return "Oddity";
            }

            @Override
            public Tensor[] forward(Tensor[] inputs, Saved saved) {
                return inputs;
            }

            @Override
            public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
                return gradOutputs;
            }
        };
        Graph g = new Graph(List.of(new Node("odd", odd, List.of("x"), List.of("y"))), Map.of(), List.of(ValueInfo.of("x", 1)),
                List.of(ValueInfo.of("y", 1)));
        Path file = dir.resolve("odd.onnx");
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> OnnxExporter.save(g, file));
        assertTrue(e.getMessage().contains("Oddity") && e.getMessage().contains("Conv"), e.getMessage());
        assertTrue(!Files.exists(file));
    }
}
