package dev.loupe.onnx;

import com.google.protobuf.ByteString;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Op;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.io.AtomicFiles;
import dev.loupe.engine.ops.AutoPad;
import dev.loupe.engine.ops.AveragePool;
import dev.loupe.engine.ops.BatchNormalization;
import dev.loupe.engine.ops.Binary;
import dev.loupe.engine.ops.Concat;
import dev.loupe.engine.ops.Conv;
import dev.loupe.engine.ops.Flatten;
import dev.loupe.engine.ops.Gemm;
import dev.loupe.engine.ops.LeakyRelu;
import dev.loupe.engine.ops.MaxPool;
import dev.loupe.engine.ops.Reshape;
import dev.loupe.engine.ops.Softmax;
import dev.loupe.engine.ops.UnsupportedOpException;
import dev.loupe.engine.ops.WindowAttrs;
import dev.loupe.onnx.proto.AttributeProto;
import dev.loupe.onnx.proto.GraphProto;
import dev.loupe.onnx.proto.ModelProto;
import dev.loupe.onnx.proto.NodeProto;
import dev.loupe.onnx.proto.OperatorSetIdProto;
import dev.loupe.onnx.proto.StringStringEntryProto;
import dev.loupe.onnx.proto.TensorProto;
import dev.loupe.onnx.proto.TensorShapeProto;
import dev.loupe.onnx.proto.TypeProto;
import dev.loupe.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes engine {@link Graph}s as ONNX files (ai.onnx opset {@value #OPSET}, IR version
 * {@value #IR_VERSION}) that {@link OnnxImporter} and ONNX Runtime load.
 *
 * <p>Each op's settings are read back from the op object (Conv's group and window, Gemm's alpha,
 * beta and transposes, ...) and written as the ONNX attributes that create it. Constants become
 * initializers with their values in {@code raw_data} (little endian); a constant read where ONNX
 * expects integers (Reshape's shape) is written as INT64. Graph inputs and outputs keep their
 * declared shapes, a dynamic dimension becoming a symbolic one ({@code batch} when it has no name).
 *
 * <p>Supported op types are {@link #SUPPORTED}; any other op is refused with a message naming it,
 * before anything is written. Files are written atomically: a reader never sees half a model.
 */
public final class OnnxExporter {
    /** The opset the files declare: the ops' semantics in the engine are the opset-13 ones. */
    public static final int OPSET = 13;
    /** IR version 7 goes with opset 13 and is read by every ONNX Runtime since 1.6. */
    public static final int IR_VERSION = 7;

    /** The op types this writer knows how to express. */
    public static final Set<String> SUPPORTED = Set.copyOf(new TreeSet<>(List.of("Add", "AveragePool", "BatchNormalization",
            "Concat", "Conv", "Div", "Dropout", "Exp", "Flatten", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Identity",
            "LeakyRelu", "MatMul", "MaxPool", "Mul", "Pow", "Relu", "Reshape", "Sigmoid", "Softmax", "Sqrt", "Sub", "Tanh")));

    /** (op type, input index) pairs where ONNX expects INT64 data, not float. */
    private static final Map<String, Set<Integer>> INT64_INPUTS = Map.of("Reshape", Set.of(1));

    private OnnxExporter() {
    }

    /**
     * Writes {@code graph} to {@code file} atomically.
     *
     * @param metadata free-form key/value pairs stored in the model (for example how it was trained)
     * @throws UnsupportedOpException when the graph holds an op this writer cannot express
     */
    public static void save(Graph graph, Path file, Map<String, String> metadata) throws IOException {
        byte[] bytes = toBytes(graph, metadata);
        AtomicFiles.write(file, bytes);
    }

    public static void save(Graph graph, Path file) throws IOException {
        save(graph, file, Map.of());
    }

    /** The serialised model. */
    public static byte[] toBytes(Graph graph, Map<String, String> metadata) {
        return toModel(graph, metadata).toByteArray();
    }

    /** The model as a protobuf message. */
    public static ModelProto toModel(Graph graph, Map<String, String> metadata) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("loupe");
        Map<String, Boolean> int64Constants = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            g.addNode(node(n));
            Set<Integer> ints = INT64_INPUTS.getOrDefault(n.type(), Set.of());
            for (int k = 0; k < n.inputs().size(); k++) {
                String in = n.inputs().get(k);
                if (graph.constants().containsKey(in)) {
                    boolean asInt = ints.contains(k);
                    Boolean before = int64Constants.put(in, asInt);
                    if (before != null && before != asInt) {
                        throw new UnsupportedOpException("constant '" + in + "' is read both as floats and as INT64 indices;"
                                + " ONNX needs one type per tensor");
                    }
                }
            }
        }
        for (Map.Entry<String, Tensor> c : graph.constants().entrySet()) {
            boolean asInt = int64Constants.getOrDefault(c.getKey(), false);
            g.addInitializer(asInt ? int64Tensor(c.getKey(), c.getValue()) : floatTensor(c.getKey(), c.getValue()));
        }
        for (ValueInfo v : graph.inputs()) {
            g.addInput(valueInfo(v));
        }
        for (ValueInfo v : graph.outputs()) {
            g.addOutput(valueInfo(v));
        }
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("loupe")
                .setProducerVersion(version()).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return m.build();
    }

    private static String version() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static NodeProto node(Node n) {
        Op op = n.op();
        String type = op.type();
        if (!SUPPORTED.contains(type)) {
            throw new UnsupportedOpException("cannot write node '" + n.name() + "' (" + type + ") to ONNX; the writer supports "
                    + String.join(", ", new TreeSet<>(SUPPORTED)));
        }
        NodeProto.Builder b = NodeProto.newBuilder().setName(n.name()).setOpType(type).addAllInput(n.inputs())
                .addAllOutput(n.outputs());
        if (op instanceof Conv c) {
            b.addAttribute(integer("group", c.group()));
            window(b, c.window(), false);
        } else if (op instanceof MaxPool p) {
            window(b, p.window(), true);
        } else if (op instanceof AveragePool p) {
            window(b, p.window(), true);
            b.addAttribute(integer("count_include_pad", p.countIncludePad() ? 1 : 0));
        } else if (op instanceof Gemm gm) {
            b.addAttribute(real("alpha", gm.alpha()));
            b.addAttribute(real("beta", gm.beta()));
            b.addAttribute(integer("transA", gm.transA() ? 1 : 0));
            b.addAttribute(integer("transB", gm.transB() ? 1 : 0));
        } else if (op instanceof BatchNormalization bn) {
            b.addAttribute(real("epsilon", bn.epsilon()));
        } else if (op instanceof Flatten f) {
            b.addAttribute(integer("axis", f.axis()));
        } else if (op instanceof Concat c) {
            b.addAttribute(integer("axis", c.axis()));
        } else if (op instanceof LeakyRelu l) {
            b.addAttribute(real("alpha", l.alpha()));
        } else if (op instanceof Softmax sm) {
            if (sm.legacy()) {
                throw new UnsupportedOpException("cannot write node '" + n.name() + "': its Softmax has the pre-opset-13 "
                        + "meaning (softmax over all axes from " + sm.axis() + " on), which opset " + OPSET + " cannot express");
            }
            b.addAttribute(integer("axis", sm.axis()));
        } else if (op instanceof Reshape r && r.allowZero()) {
            throw new UnsupportedOpException("cannot write node '" + n.name() + "': Reshape with allowzero needs opset 14");
        } else if (!(op instanceof Binary) && hasSettings(type)) {
            // An op class of the right type name whose settings this writer does not know (a wrapper, a test op).
            throw new UnsupportedOpException("cannot write node '" + n.name() + "' (" + type + "): its op "
                    + op.getClass().getName() + " does not expose the settings ONNX needs");
        }
        return b.build();
    }

    /** Whether ONNX attributes for this type come from the op object (so a foreign op class cannot be written). */
    private static boolean hasSettings(String type) {
        return Set.of("Conv", "MaxPool", "AveragePool", "Gemm", "BatchNormalization", "Flatten", "Concat", "LeakyRelu",
                "Softmax").contains(type);
    }

    private static void window(NodeProto.Builder b, WindowAttrs w, boolean pool) {
        if (w.kernelShape() != null) {
            b.addAttribute(ints("kernel_shape", w.kernelShape()));
        }
        b.addAttribute(ints("strides", w.strides()));
        if (w.autoPad() == AutoPad.NOTSET) {
            b.addAttribute(ints("pads", w.pads()));
        } else {
            b.addAttribute(AttributeProto.newBuilder().setName("auto_pad").setType(AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8(w.autoPad().name())));
        }
        if (!Arrays.equals(w.dilations(), new int[] {1, 1})) {
            b.addAttribute(ints("dilations", w.dilations()));
        }
        if (pool && w.ceilMode()) {
            b.addAttribute(integer("ceil_mode", 1));
        }
    }

    private static AttributeProto ints(String name, int[] values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (int v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static TensorProto floatTensor(String name, Tensor t) {
        ByteBuffer buf = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(t.data());
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (int d : t.shape()) {
            p.addDims(d);
        }
        return p.build();
    }

    /** The engine keeps integer constants as floats; they are whole numbers, written back as INT64. */
    static TensorProto int64Tensor(String name, Tensor t) {
        ByteBuffer buf = ByteBuffer.allocate(t.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.data()) {
            if (v != Math.rint(v)) {
                throw new UnsupportedOpException("constant '" + name + "' is used as INT64 but holds " + v);
            }
            buf.putLong((long) v);
        }
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (int d : t.shape()) {
            p.addDims(d);
        }
        return p.build();
    }

    private static ValueInfoProto valueInfo(ValueInfo v) {
        TypeProto.Tensor.Builder tt = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE);
        if (v.shape() != null) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
            int[] shape = v.shape();
            String[] dimNames = v.dimNames();
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] >= 0) {
                    s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(shape[i]));
                } else {
                    String p = dimNames != null && i < dimNames.length && dimNames[i] != null && !dimNames[i].isEmpty()
                            ? dimNames[i] : (i == 0 ? "batch" : "d" + i);
                    s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(p));
                }
            }
            tt.setShape(s);
        }
        return ValueInfoProto.newBuilder().setName(v.name()).setType(TypeProto.newBuilder().setTensorType(tt)).build();
    }
}
