package dev.loupe.onnx;

import dev.loupe.engine.Tensor;
import dev.loupe.onnx.proto.StringStringEntryProto;
import dev.loupe.onnx.proto.TensorProto;
import dev.loupe.onnx.proto.TensorProto.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Turns a {@link TensorProto} into a float32 {@link Tensor}, whichever of the three places the data
 * lives in (typed repeated field, little-endian raw bytes, external file). The engine keeps integer
 * tensors (shapes, indices, pads) as float32, which is exact up to 2^24; that covers every shape
 * and index a CNN uses.
 */
final class TensorDecoder {
    private final Path baseDir;
    private final String source;

    /**
     * @param baseDir the model's folder, against which external data paths are resolved; null when
     *     the model came from bytes without a folder
     * @param source how to name the model in messages (usually its file name)
     */
    TensorDecoder(Path baseDir, String source) {
        this.baseDir = baseDir;
        this.source = source;
    }

    /** Bytes per element for the types we can convert, or 0 for types we cannot. */
    static int elementSize(int dataType) {
        switch (dataType) {
            case DataType.FLOAT_VALUE, DataType.INT32_VALUE, DataType.UINT32_VALUE:
                return 4;
            case DataType.DOUBLE_VALUE, DataType.INT64_VALUE, DataType.UINT64_VALUE:
                return 8;
            case DataType.FLOAT16_VALUE, DataType.BFLOAT16_VALUE, DataType.INT16_VALUE, DataType.UINT16_VALUE:
                return 2;
            case DataType.INT8_VALUE, DataType.UINT8_VALUE, DataType.BOOL_VALUE:
                return 1;
            default:
                return 0;
        }
    }

    /** The ONNX name of a data type number, e.g. {@code STRING}, or {@code type 42} when unknown. */
    static String typeName(int dataType) {
        DataType t = DataType.forNumber(dataType);
        return t == null ? "type " + dataType : t.name();
    }

    /** Whether Cast to this type changes nothing for float32 values (up to rounding we accept). */
    static boolean isFloatLike(int dataType) {
        return dataType == DataType.FLOAT_VALUE || dataType == DataType.DOUBLE_VALUE
                || dataType == DataType.FLOAT16_VALUE || dataType == DataType.BFLOAT16_VALUE;
    }

    /**
     * Decodes {@code t}; {@code what} names it in messages, e.g. "initializer 'conv1.weight'".
     */
    Tensor decode(TensorProto t, String what) throws ModelLoadException {
        int type = t.getDataType();
        int elemSize = elementSize(type);
        if (elemSize == 0) {
            throw new ModelLoadException(source + ": " + what + " has data type " + typeName(type)
                    + ", which Loupe cannot use (it reads FLOAT, DOUBLE, FLOAT16, BFLOAT16 and integer/bool tensors); "
                    + "re-export the model with float32 weights");
        }
        int[] shape = new int[t.getDimsCount()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new ModelLoadException(source + ": " + what + " has an invalid dimension " + d + " in "
                        + t.getDimsList() + "; the file is damaged — re-export it");
            }
            shape[i] = (int) d;
            count *= d;
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new ModelLoadException(source + ": " + what + " has " + count + " elements, more than Loupe can hold in one tensor");
        }
        int n = (int) count;
        float[] out = new float[n];
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            ByteBuffer bytes = readExternal(t, what, (long) n * elemSize);
            fromRaw(bytes, type, out);
        } else if (t.hasRawData()) {
            ByteBuffer bytes = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (bytes.remaining() != (long) n * elemSize) {
                throw new ModelLoadException(source + ": " + what + " holds " + bytes.remaining() + " bytes of data but its shape "
                        + Arrays.toString(shape) + " of " + typeName(type) + " needs " + (long) n * elemSize
                        + "; the file is damaged — re-export it");
            }
            fromRaw(bytes, type, out);
        } else {
            fromTyped(t, type, out, what, shape);
        }
        return new Tensor(shape, out);
    }

    private void fromTyped(TensorProto t, int type, float[] out, String what, int[] shape) throws ModelLoadException {
        int have;
        switch (type) {
            case DataType.FLOAT_VALUE -> {
                have = t.getFloatDataCount();
                for (int i = 0; i < Math.min(have, out.length); i++) {
                    out[i] = t.getFloatData(i);
                }
            }
            case DataType.DOUBLE_VALUE -> {
                have = t.getDoubleDataCount();
                for (int i = 0; i < Math.min(have, out.length); i++) {
                    out[i] = (float) t.getDoubleData(i);
                }
            }
            case DataType.INT64_VALUE -> {
                have = t.getInt64DataCount();
                for (int i = 0; i < Math.min(have, out.length); i++) {
                    out[i] = t.getInt64Data(i);
                }
            }
            case DataType.UINT32_VALUE, DataType.UINT64_VALUE -> {
                have = t.getUint64DataCount();
                for (int i = 0; i < Math.min(have, out.length); i++) {
                    out[i] = unsignedToFloat(t.getUint64Data(i));
                }
            }
            default -> {
                // int32_data carries every narrower type, float16/bfloat16 as their bit patterns
                have = t.getInt32DataCount();
                for (int i = 0; i < Math.min(have, out.length); i++) {
                    int v = t.getInt32Data(i);
                    out[i] = switch (type) {
                        case DataType.FLOAT16_VALUE -> halfToFloat((short) v);
                        case DataType.BFLOAT16_VALUE -> Float.intBitsToFloat((v & 0xffff) << 16);
                        case DataType.UINT8_VALUE -> v & 0xff;
                        case DataType.UINT16_VALUE -> v & 0xffff;
                        case DataType.BOOL_VALUE -> v != 0 ? 1f : 0f;
                        default -> v;
                    };
                }
            }
        }
        if (have != out.length) {
            throw new ModelLoadException(source + ": " + what + " has " + have + " values but its shape "
                    + Arrays.toString(shape) + " needs " + out.length + "; the file is damaged — re-export it");
        }
    }

    /** Converts fixed-width little-endian values; {@code bytes} holds exactly {@code out.length} of them. */
    static void fromRaw(ByteBuffer bytes, int type, float[] out) {
        ByteBuffer b = bytes.order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case DataType.FLOAT_VALUE -> b.asFloatBuffer().get(out);
            case DataType.DOUBLE_VALUE -> {
                var d = b.asDoubleBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) d.get(i);
                }
            }
            case DataType.INT64_VALUE -> {
                var l = b.asLongBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = l.get(i);
                }
            }
            case DataType.UINT64_VALUE -> {
                var l = b.asLongBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = unsignedToFloat(l.get(i));
                }
            }
            case DataType.INT32_VALUE -> {
                var x = b.asIntBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = x.get(i);
                }
            }
            case DataType.UINT32_VALUE -> {
                var x = b.asIntBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = x.get(i) & 0xffffffffL;
                }
            }
            case DataType.INT16_VALUE, DataType.UINT16_VALUE, DataType.FLOAT16_VALUE, DataType.BFLOAT16_VALUE -> {
                var s = b.asShortBuffer();
                for (int i = 0; i < out.length; i++) {
                    short v = s.get(i);
                    out[i] = switch (type) {
                        case DataType.INT16_VALUE -> v;
                        case DataType.UINT16_VALUE -> v & 0xffff;
                        case DataType.FLOAT16_VALUE -> halfToFloat(v);
                        default -> Float.intBitsToFloat((v & 0xffff) << 16);
                    };
                }
            }
            default -> {
                int start = b.position();
                for (int i = 0; i < out.length; i++) {
                    byte v = b.get(start + i);
                    out[i] = switch (type) {
                        case DataType.INT8_VALUE -> v;
                        case DataType.BOOL_VALUE -> v != 0 ? 1f : 0f;
                        default -> v & 0xff;
                    };
                }
            }
        }
    }

    private static float unsignedToFloat(long v) {
        return v >= 0 ? v : ((float) (v >>> 1)) * 2f;
    }

    /** IEEE 754 half precision to float, including subnormals, infinities and NaN. */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // subnormal (or zero): mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Reads the bytes an external-data tensor points to: {@code location} relative to the model's
     * folder, from {@code offset} for {@code length} bytes (default: the rest of the file).
     */
    private ByteBuffer readExternal(TensorProto t, String what, long needed) throws ModelLoadException {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue().trim());
                    case "length" -> length = Long.parseLong(e.getValue().trim());
                    default -> {
                        // "checksum" and future keys: not needed to read the data
                    }
                }
            } catch (NumberFormatException ex) {
                throw new ModelLoadException(source + ": " + what + " has external data " + e.getKey() + " = '"
                        + e.getValue() + "', which is not a number; the file is damaged — re-export it");
            }
        }
        if (location == null || location.isEmpty()) {
            throw new ModelLoadException(source + ": " + what + " keeps its data in an external file but does not say which "
                    + "(no 'location'); the file is damaged — re-export it");
        }
        if (baseDir == null) {
            throw new ModelLoadException(source + ": " + what + " keeps its data in the external file '" + location
                    + "', but the model was given as bytes without a folder to find it in; load it from its file instead");
        }
        Path base = baseDir.toAbsolutePath().normalize();
        Path file = base.resolve(location).normalize();
        if (Path.of(location).isAbsolute() || !file.startsWith(base)) {
            throw new ModelLoadException(source + ": " + what + " points to external data at '" + location
                    + "', outside the model's folder; Loupe only reads data files next to the model (move it there and re-export)");
        }
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(source + ": the weights of " + what + " are in the external data file '" + location
                    + "', which is missing (looked for " + file + "); copy it next to the model file — ONNX models with "
                    + "external data are several files that must stay together");
        }
        if (length < 0) {
            length = needed;
        }
        if (length != needed) {
            throw new ModelLoadException(source + ": " + what + " declares " + length + " bytes of external data but its shape "
                    + t.getDimsList() + " of " + typeName(t.getDataType()) + " needs " + needed + "; re-export the model");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset < 0 || offset + length > size) {
                throw new ModelLoadException(source + ": the external data file '" + location + "' has " + size
                        + " bytes, but " + what + " needs bytes " + offset + " to " + (offset + length)
                        + "; the data file is incomplete or belongs to another export — copy or re-export it again");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) length);
            long pos = offset;
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos);
                if (r < 0) {
                    throw new IOException("unexpected end of file");
                }
                pos += r;
            }
            buf.flip();
            return buf;
        } catch (IOException e) {
            throw new ModelLoadException(source + ": could not read the external data file '" + location + "' for " + what
                    + ": " + e.getMessage(), e);
        }
    }
}
