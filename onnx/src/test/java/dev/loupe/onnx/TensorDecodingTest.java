package dev.loupe.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.onnx.proto.TensorProto;
import dev.loupe.onnx.proto.TensorProto.DataType;
import dev.loupe.onnx.testing.OnnxBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Every initializer type we accept arrives as the same float32 values, raw or typed. */
class TensorDecodingTest {
    private static Tensor load(TensorProto t) throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", 1);
        b.initializer(t.toBuilder().setName("c").build());
        b.output(b.op("Relu", new String[] {"x"})).output("c");
        Graph g = OnnxImporter.load(b.bytes(), null);
        return g.constants().get("c");
    }

    private static TensorProto raw(int type, byte[] bytes, long... dims) {
        TensorProto.Builder p = TensorProto.newBuilder().setDataType(type).setRawData(ByteString.copyFrom(bytes));
        for (long d : dims) {
            p.addDims(d);
        }
        return p.build();
    }

    private static ByteBuffer buf(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void rawTypes() throws Exception {
        float[] expect = {1, -2, 3, 0};
        ByteBuffer f = buf(16);
        ByteBuffer d = buf(32);
        ByteBuffer l = buf(32);
        ByteBuffer i = buf(16);
        for (float v : expect) {
            f.putFloat(v);
            d.putDouble(v);
            l.putLong((long) v);
            i.putInt((int) v);
        }
        assertArrayEquals(expect, load(raw(DataType.FLOAT_VALUE, f.array(), 2, 2)).data());
        assertArrayEquals(new int[] {2, 2}, load(raw(DataType.FLOAT_VALUE, f.array(), 2, 2)).shape());
        assertArrayEquals(expect, load(raw(DataType.DOUBLE_VALUE, d.array(), 4)).data());
        assertArrayEquals(expect, load(raw(DataType.INT64_VALUE, l.array(), 4)).data());
        assertArrayEquals(expect, load(raw(DataType.INT32_VALUE, i.array(), 4)).data());
        assertArrayEquals(expect, load(raw(DataType.INT8_VALUE, new byte[] {1, -2, 3, 0}, 4)).data());
        assertArrayEquals(new float[] {1, 254, 3, 0}, load(raw(DataType.UINT8_VALUE, new byte[] {1, -2, 3, 0}, 4)).data());
        assertArrayEquals(new float[] {1, 1, 1, 0}, load(raw(DataType.BOOL_VALUE, new byte[] {1, -2, 3, 0}, 4)).data());
        // float16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal 0x0001 = 2^-24
        ByteBuffer h = buf(8).putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x7bff).putShort((short) 1);
        assertArrayEquals(new float[] {1, -2, 65504, 0x1p-24f}, load(raw(DataType.FLOAT16_VALUE, h.array(), 4)).data());
        // a scalar: no dims
        assertEquals(0, load(raw(DataType.FLOAT_VALUE, buf(4).putFloat(7).array())).rank());
    }

    @Test
    void typedFields() throws Exception {
        assertArrayEquals(new float[] {1.5f, -2},
                load(TensorProto.newBuilder().setDataType(DataType.FLOAT_VALUE).addDims(2).addFloatData(1.5f).addFloatData(-2).build()).data());
        assertArrayEquals(new float[] {1.5f, -2},
                load(TensorProto.newBuilder().setDataType(DataType.DOUBLE_VALUE).addDims(2).addDoubleData(1.5).addDoubleData(-2).build()).data());
        assertArrayEquals(new float[] {-1, 1L << 40},
                load(TensorProto.newBuilder().setDataType(DataType.INT64_VALUE).addDims(2).addInt64Data(-1).addInt64Data(1L << 40).build()).data());
        assertArrayEquals(new float[] {7, -3},
                load(TensorProto.newBuilder().setDataType(DataType.INT32_VALUE).addDims(2).addInt32Data(7).addInt32Data(-3).build()).data());
        assertArrayEquals(new float[] {-3, 100},
                load(TensorProto.newBuilder().setDataType(DataType.INT8_VALUE).addDims(2).addInt32Data(-3).addInt32Data(100).build()).data());
        assertArrayEquals(new float[] {3, 200},
                load(TensorProto.newBuilder().setDataType(DataType.UINT8_VALUE).addDims(2).addInt32Data(3).addInt32Data(200).build()).data());
        assertArrayEquals(new float[] {1, 0},
                load(TensorProto.newBuilder().setDataType(DataType.BOOL_VALUE).addDims(2).addInt32Data(1).addInt32Data(0).build()).data());
        assertArrayEquals(new float[] {1, -2},
                load(TensorProto.newBuilder().setDataType(DataType.FLOAT16_VALUE).addDims(2).addInt32Data(0x3c00).addInt32Data(0xc000).build()).data());
    }

    @Test
    void halfPrecisionSpecialValues() {
        assertEquals(Float.POSITIVE_INFINITY, TensorDecoder.halfToFloat((short) 0x7c00));
        assertEquals(Float.NEGATIVE_INFINITY, TensorDecoder.halfToFloat((short) 0xfc00));
        assertEquals(true, Float.isNaN(TensorDecoder.halfToFloat((short) 0x7e00)));
        assertEquals(-0f, TensorDecoder.halfToFloat((short) 0x8000));
        assertEquals(0.333251953125f, TensorDecoder.halfToFloat((short) 0x3555));
        assertEquals(6.103515625e-05f, TensorDecoder.halfToFloat((short) 0x0400));
    }
}
