package dev.loupe.onnx.testing;

import com.google.protobuf.ByteString;
import dev.loupe.engine.Tensor;
import dev.loupe.onnx.proto.AttributeProto;
import dev.loupe.onnx.proto.GraphProto;
import dev.loupe.onnx.proto.ModelProto;
import dev.loupe.onnx.proto.NodeProto;
import dev.loupe.onnx.proto.OperatorSetIdProto;
import dev.loupe.onnx.proto.TensorProto;
import dev.loupe.onnx.proto.TensorShapeProto;
import dev.loupe.onnx.proto.TypeProto;
import dev.loupe.onnx.proto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Writes small ONNX models for tests, e.g.
 * <pre>{@code
 * OnnxBuilder b = new OnnxBuilder(13).input("x", "batch", 3, 8, 8);
 * String y = b.op("Conv", new String[] {"x", b.weight("w", OnnxBuilder.random(rng, 4, 3, 3, 3))}, "pads", new int[] {1, 1, 1, 1});
 * byte[] model = b.output(y).bytes();
 * }</pre>
 * Attributes are name/value pairs: Integer/Long → INT, Float/Double → FLOAT, String → STRING,
 * int[]/long[] → INTS, float[] → FLOATS, Tensor → TENSOR (float), TensorProto → TENSOR as given.
 */
public final class OnnxBuilder {
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");
    private final ModelProto.Builder model;
    private int counter;

    public OnnxBuilder(int opset) {
        model = ModelProto.newBuilder().setIrVersion(opset >= 15 ? 8 : 7).setProducerName("loupe-test")
                .setProducerVersion("1").addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
    }

    /** A float input; dims are Integer/Long (fixed) or String (symbolic, e.g. "batch"). */
    public OnnxBuilder input(String name, Object... dims) {
        graph.addInput(valueInfo(name, dims));
        return this;
    }

    /** A float output with no declared shape. */
    public OnnxBuilder output(String name) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
        return this;
    }

    public OnnxBuilder output(String name, Object... dims) {
        graph.addOutput(valueInfo(name, dims));
        return this;
    }

    /** Adds a float32 initializer (raw data) and returns its name. */
    public String weight(String name, Tensor value) {
        graph.addInitializer(floatTensor(name, value));
        return name;
    }

    /** Adds an INT64 1-D initializer and returns its name. */
    public String int64s(String name, long... values) {
        graph.addInitializer(int64Tensor(name, new long[] {values.length}, values));
        return name;
    }

    public OnnxBuilder initializer(TensorProto t) {
        graph.addInitializer(t);
        return this;
    }

    /** Adds a node with one output named {@code <op>_<n>} and returns that name. */
    public String op(String opType, String[] inputs, Object... attributes) {
        String out = opType.toLowerCase() + "_" + (counter++);
        node(opType, List.of(inputs), List.of(out), attributes);
        return out;
    }

    /** Adds a node as given. */
    public OnnxBuilder node(String opType, List<String> inputs, List<String> outputs, Object... attributes) {
        graph.addNode(nodeProto(opType, "n" + (counter++) + "_" + opType, inputs, outputs, attributes));
        return this;
    }

    public OnnxBuilder node(NodeProto node) {
        graph.addNode(node);
        return this;
    }

    /** Direct access for tests that need something unusual (node order, extra opsets, ...). */
    public GraphProto.Builder graph() {
        return graph;
    }

    public ModelProto.Builder model() {
        return model;
    }

    public ModelProto build() {
        return model.clone().setGraph(graph.clone()).build();
    }

    public byte[] bytes() {
        return build().toByteArray();
    }

    public static NodeProto nodeProto(String opType, String name, List<String> inputs, List<String> outputs, Object... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs).addAllOutput(outputs);
        for (int i = 0; i < attributes.length; i += 2) {
            n.addAttribute(attribute((String) attributes[i], attributes[i + 1]));
        }
        return n.build();
    }

    public static AttributeProto attribute(String name, Object v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (v instanceof Integer || v instanceof Long) {
            a.setType(AttributeProto.AttributeType.INT).setI(((Number) v).longValue());
        } else if (v instanceof Float || v instanceof Double) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(((Number) v).floatValue());
        } else if (v instanceof String s) {
            a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        } else if (v instanceof int[] xs) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (int x : xs) {
                a.addInts(x);
            }
        } else if (v instanceof long[] xs) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long x : xs) {
                a.addInts(x);
            }
        } else if (v instanceof float[] xs) {
            a.setType(AttributeProto.AttributeType.FLOATS);
            for (float x : xs) {
                a.addFloats(x);
            }
        } else if (v instanceof Tensor t) {
            a.setType(AttributeProto.AttributeType.TENSOR).setT(floatTensor("", t));
        } else if (v instanceof TensorProto t) {
            a.setType(AttributeProto.AttributeType.TENSOR).setT(t);
        } else {
            throw new IllegalArgumentException("attribute " + name + ": unsupported value " + v);
        }
        return a.build();
    }

    public static ValueInfoProto valueInfo(String name, Object... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String p) {
                s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(p));
            } else {
                s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
            }
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    /** A FLOAT tensor with its values in raw_data, little endian, as exporters write them. */
    public static TensorProto floatTensor(String name, Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(t.data());
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (int d : t.shape()) {
            p.addDims(d);
        }
        return p.build();
    }

    /** An INT64 tensor in the typed int64_data field. */
    public static TensorProto int64Tensor(String name, long[] dims, long... values) {
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
        for (long d : dims) {
            p.addDims(d);
        }
        for (long v : values) {
            p.addInt64Data(v);
        }
        return p.build();
    }

    /** Gaussian values with standard deviation {@code scale}. */
    public static Tensor random(Random rng, float scale, int... shape) {
        float[] d = new float[(int) Tensor.sizeOf(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) rng.nextGaussian() * scale;
        }
        return new Tensor(shape, d);
    }

    public static Tensor random(Random rng, int... shape) {
        return random(rng, 1f, shape);
    }

    /** Positive values in [lo, hi), e.g. for batch-norm variances. */
    public static Tensor uniform(Random rng, float lo, float hi, int... shape) {
        float[] d = new float[(int) Tensor.sizeOf(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = lo + rng.nextFloat() * (hi - lo);
        }
        return new Tensor(shape, d);
    }

    @Override
    public String toString() {
        return "OnnxBuilder" + Arrays.toString(graph.getNodeList().stream().map(NodeProto::getOpType).toArray());
    }
}
