package dev.loupe.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.onnx.proto.StringStringEntryProto;
import dev.loupe.onnx.proto.TensorProto;
import dev.loupe.onnx.testing.OnnxBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights kept in a side file, as exporters do for large models, are read from next to the model. */
class ExternalDataTest {
    @TempDir
    Path tmp;

    private final Tensor w1 = OnnxBuilder.random(new Random(1), 4, 3, 3, 3);
    private final Tensor w2 = OnnxBuilder.random(new Random(2), 10, 4);

    private static byte[] le(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(t.data());
        return b.array();
    }

    private static TensorProto external(String name, Tensor t, String location, long offset, long length) {
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)));
        if (length >= 0) {
            p.addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(length)));
        }
        for (int d : t.shape()) {
            p.addDims(d);
        }
        return p.build();
    }

    /** Writes model.onnx + weights.bin (w2 at a 4096-aligned offset, like onnx's save does) into a folder. */
    private Path writeModel(Path dir, boolean withLength) throws Exception {
        Files.createDirectories(dir.resolve("data"));
        byte[] a = le(w1);
        byte[] b = le(w2);
        byte[] file = new byte[4096 + b.length];
        System.arraycopy(a, 0, file, 0, a.length);
        System.arraycopy(b, 0, file, 4096, b.length);
        Files.write(dir.resolve("data/weights.bin"), file);
        OnnxBuilder m = new OnnxBuilder(13).input("x", "batch", 3);
        m.initializer(external("w1", w1, "data/weights.bin", 0, withLength ? a.length : -1));
        m.initializer(external("w2", w2, "data/weights.bin", 4096, withLength ? b.length : -1));
        m.output(m.op("Relu", new String[] {"x"}));
        m.output("w1").output("w2"); // constant outputs, so both weights stay in the graph
        Path model = dir.resolve("model.onnx");
        Files.write(model, m.bytes());
        return model;
    }

    @Test
    void weightsComeFromTheSideFile() throws Exception {
        for (boolean withLength : new boolean[] {true, false}) {
            Path model = writeModel(tmp.resolve("m" + withLength), withLength);
            Graph g = OnnxImporter.load(model);
            assertArrayEquals(w1.shape(), g.constants().get("w1").shape());
            assertArrayEquals(w1.data(), g.constants().get("w1").data());
            assertArrayEquals(w2.data(), g.constants().get("w2").data());
        }
    }

    @Test
    void bytesWithBaseDirFindTheSideFile() throws Exception {
        Path model = writeModel(tmp.resolve("m"), true);
        Graph g = OnnxImporter.load(Files.readAllBytes(model), model.getParent());
        assertArrayEquals(w2.data(), g.constants().get("w2").data());
    }

    @Test
    void bytesWithoutBaseDirSayWhatToDo() throws Exception {
        Path model = writeModel(tmp.resolve("m"), true);
        byte[] bytes = Files.readAllBytes(model);
        String m = assertThrows(ModelLoadException.class, () -> OnnxImporter.load(bytes, null)).getMessage();
        assertTrue(m.contains("data/weights.bin") && m.contains("load it from its file"), m);
    }

    @Test
    void missingSideFileIsNamed() throws Exception {
        Path model = writeModel(tmp.resolve("m"), true);
        Files.delete(model.getParent().resolve("data/weights.bin"));
        String m = assertThrows(ModelLoadException.class, () -> OnnxImporter.load(model)).getMessage();
        assertTrue(m.contains("external data file 'data/weights.bin', which is missing") && m.contains("copy it next to"), m);
    }

    @Test
    void shortSideFileIsReported() throws Exception {
        Path model = writeModel(tmp.resolve("m"), true);
        Path data = model.getParent().resolve("data/weights.bin");
        byte[] all = Files.readAllBytes(data);
        Files.write(data, Arrays.copyOf(all, 4096 + 8));
        String m = assertThrows(ModelLoadException.class, () -> OnnxImporter.load(model)).getMessage();
        assertTrue(m.contains("has 4104 bytes") && m.contains("initializer 'w2'") && m.contains("incomplete"), m);
    }

    @Test
    void pathsOutsideTheModelFolderAreRefused() throws Exception {
        OnnxBuilder m = new OnnxBuilder(13).input("x", "batch", 3);
        m.initializer(external("w1", w1, "../secret.bin", 0, -1));
        m.output(m.op("Relu", new String[] {"x"})).output("w1");
        Path dir = Files.createDirectories(tmp.resolve("inner"));
        Files.write(tmp.resolve("secret.bin"), le(w1));
        Files.write(dir.resolve("model.onnx"), m.bytes());
        String msg = assertThrows(ModelLoadException.class, () -> OnnxImporter.load(dir.resolve("model.onnx"))).getMessage();
        assertTrue(msg.contains("outside the model's folder"), msg);
    }
}
