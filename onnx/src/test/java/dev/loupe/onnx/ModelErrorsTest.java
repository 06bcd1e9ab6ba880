package dev.loupe.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import dev.loupe.onnx.proto.NodeProto;
import dev.loupe.onnx.proto.OperatorSetIdProto;
import dev.loupe.onnx.proto.TensorProto;
import dev.loupe.onnx.testing.OnnxBuilder;
import dev.loupe.onnx.testing.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken or unsupported models fail with one exception type and a message that says what to do. */
class ModelErrorsTest {
    @TempDir
    Path tmp;

    private static OnnxBuilder reluModel() {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "batch", 3, 4, 4);
        return b.output(b.op("Relu", new String[] {"x"}));
    }

    private static String message(byte[] bytes) {
        return assertThrows(ModelLoadException.class, () -> OnnxImporter.load(bytes, null)).getMessage();
    }

    @Test
    void missingFileSaysNotFound() {
        Path p = tmp.resolve("nope.onnx");
        String m = assertThrows(ModelLoadException.class, () -> OnnxImporter.load(p)).getMessage();
        assertTrue(m.contains("not found") && m.contains("nope.onnx"), m);
    }

    @Test
    void folderIsNotAModel() {
        String m = assertThrows(ModelLoadException.class, () -> OnnxImporter.load(tmp)).getMessage();
        assertTrue(m.contains("is a folder"), m);
    }

    @Test
    void emptyFileSaysEmpty() throws Exception {
        Path p = tmp.resolve("empty.onnx");
        Files.write(p, new byte[0]);
        String m = assertThrows(ModelLoadException.class, () -> OnnxImporter.load(p)).getMessage();
        assertTrue(m.contains("empty.onnx is empty"), m);
    }

    @Test
    void truncatedRealModelSaysWhereItEnds() throws Exception {
        Path model = Shared.file("parity/tiny_vgg/model.onnx");
        byte[] all = Files.readAllBytes(model);
        Path cut = tmp.resolve("half.onnx");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        String m = assertThrows(ModelLoadException.class, () -> OnnxImporter.load(cut)).getMessage();
        assertTrue(m.contains("half.onnx is truncated: the file ends early at byte " + all.length / 2 + " of at least "), m);
        assertTrue(m.contains("re-export or re-download"), m);
    }

    @Test
    void truncatedBuiltModelSaysTruncated() {
        byte[] all = reluModel().bytes();
        for (int cut = all.length - 1; cut > all.length / 2; cut -= 7) {
            byte[] part = Arrays.copyOf(all, cut);
            String m = message(part);
            assertTrue(m.contains("truncated") && m.contains("ends early"), "cut at " + cut + ": " + m);
        }
    }

    @Test
    void randomBytesAreNotAnOnnxModel() {
        Random rng = new Random(42);
        for (int trial = 0; trial < 20; trial++) {
            byte[] junk = new byte[1000 + trial];
            rng.nextBytes(junk);
            String m = message(junk);
            assertTrue(m.contains("is not an ONNX model file") || m.contains("truncated"), m);
        }
        byte[] text = "hello, this is a text file and not a model\n".getBytes();
        assertTrue(message(text).contains("not an ONNX model file"), message(text));
    }

    @Test
    void unknownOpNamesOpNodeAndSupportedOps() {
        OnnxBuilder b = new OnnxBuilder(13).input("x", 1, 3, 4, 4);
        b.node("FooBar", List.of("x"), List.of("y")).output("y");
        String m = message(b.bytes());
        assertTrue(m.contains("unsupported op 'FooBar'"), m);
        assertTrue(m.contains("FooBar"), m);
        assertTrue(m.contains("Relu"), "lists what is supported: " + m);
    }

    @Test
    void customDomainNamesDomainAndNode() {
        OnnxBuilder b = new OnnxBuilder(13).input("x", 1, 3, 4, 4);
        b.model().addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1));
        b.node(NodeProto.newBuilder().setOpType("FusedConv").setDomain("com.microsoft").setName("fused_1")
                .addInput("x").addOutput("y").build()).output("y");
        String m = message(b.bytes());
        assertTrue(m.contains("'com.microsoft'") && m.contains("fused_1") && m.contains("FusedConv"), m);
    }

    @Test
    void opsetOutsideRangeIsRejectedWithAdvice() {
        for (int opset : new int[] {6, 19}) {
            OnnxBuilder b = new OnnxBuilder(opset).input("x", 1, 3, 4, 4);
            b.output(b.op("Relu", new String[] {"x"}));
            String m = message(b.bytes());
            assertTrue(m.contains("opset " + opset) && m.contains("7 to 18") && m.contains("opset_version=13"), m);
        }
    }

    @Test
    void graphWithoutInputsIsRejected() {
        OnnxBuilder b = new OnnxBuilder(13);
        b.weight("w", Tensor.of(new float[] {1, 2}, 2));
        b.graph().addInput(OnnxBuilder.valueInfo("w", 2));
        b.output(b.op("Relu", new String[] {"w"}));
        String m = message(b.bytes());
        assertTrue(m.contains("no inputs"), m);
    }

    @Test
    void unsupportedInitializerTypeNamesTypeAndTensor() {
        OnnxBuilder b = new OnnxBuilder(13).input("x", 1, 2);
        b.initializer(TensorProto.newBuilder().setName("labels").setDataType(TensorProto.DataType.STRING_VALUE)
                .addDims(1).addStringData(ByteString.copyFromUtf8("cat")).build());
        b.output(b.op("Relu", new String[] {"labels"}));
        String m = message(b.bytes());
        assertTrue(m.contains("initializer 'labels'") && m.contains("STRING"), m);
    }

    @Test
    void unusedOddInitializerIsIgnored() throws Exception {
        OnnxBuilder b = reluModel();
        b.initializer(TensorProto.newBuilder().setName("labels").setDataType(TensorProto.DataType.STRING_VALUE)
                .addDims(1).addStringData(ByteString.copyFromUtf8("cat")).build());
        Graph g = OnnxImporter.load(b.bytes(), null);
        assertTrue(g.constants().isEmpty());
    }

    @Test
    void damagedRawDataLengthIsReported() {
        OnnxBuilder b = new OnnxBuilder(13).input("x", 1, 2);
        b.initializer(TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(3).setRawData(ByteString.copyFrom(new byte[8])).build());
        b.output(b.op("Relu", new String[] {"w"}));
        String m = message(b.bytes());
        assertTrue(m.contains("initializer 'w' holds 8 bytes") && m.contains("needs 12"), m);
    }

    @Test
    void danglingInputIsReported() {
        OnnxBuilder b = new OnnxBuilder(13).input("x", 1, 2);
        b.node("Relu", List.of("ghost"), List.of("y")).output("y");
        String m = message(b.bytes());
        assertTrue(m.contains("reads 'ghost'"), m);
    }

    @Test
    void subgraphAttributeIsRejectedClearly() {
        OnnxBuilder b = new OnnxBuilder(13).input("x", 1, 2);
        b.node(NodeProto.newBuilder().setOpType("If").setName("branch").addInput("x").addOutput("y")
                .addAttribute(dev.loupe.onnx.proto.AttributeProto.newBuilder().setName("then_branch")
                        .setType(dev.loupe.onnx.proto.AttributeProto.AttributeType.GRAPH)
                        .setG(dev.loupe.onnx.proto.GraphProto.newBuilder().setName("g")))
                .build()).output("y");
        String m = message(b.bytes());
        assertTrue(m.contains("control flow") && m.contains("branch"), m);
    }

    @Test
    void wrongInputShapeAtExecutionIsReportedByExecutor() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "batch", 3, 4, 4);
        b.output(b.op("Relu", new String[] {"x"}));
        Graph g = OnnxImporter.load(b.bytes(), null);
        assertEquals("x[batch, 3, 4, 4]", g.inputs().get(0).toString());
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> Executor.forward(g, Tensor.zeros(1, 3, 5, 5)));
        assertTrue(e.getMessage().contains("expects shape [batch, 3, 4, 4] but was given [1, 3, 5, 5]"), e.getMessage());
        // the batch axis is free
        assertEquals(2, Executor.forward(g, Tensor.zeros(2, 3, 4, 4)).output().dim(0));
    }
}
