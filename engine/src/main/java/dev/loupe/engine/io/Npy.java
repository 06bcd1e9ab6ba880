package dev.loupe.engine.io;

import dev.loupe.engine.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files: float32 little-endian C order for tensors, plus int32 for labels.
 * Reading also accepts float64, int64 and int32 data (converted to float), since reference
 * fixtures come in those types.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    public static Tensor read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString());
        }
    }

    public static Tensor read(InputStream in, String what) throws IOException {
        byte[] all = in.readAllBytes();
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 10) {
            throw new IOException(what + " is not a .npy file (too short)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (all[i] != MAGIC[i]) {
                throw new IOException(what + " is not a .npy file (bad magic)");
            }
        }
        int major = all[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = buf.getShort(8) & 0xffff;
            start = 10;
        } else {
            headerLen = buf.getInt(8);
            start = 12;
        }
        if (start + headerLen > all.length) {
            throw new IOException(what + " is truncated (header)");
        }
        String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher o = ORDER.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) {
            throw new IOException(what + ": unreadable .npy header: " + header.trim());
        }
        if (o.group(1).equals("True")) {
            throw new IOException(what + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
        }
        List<Integer> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                dims.add(Integer.parseInt(part.trim()));
            }
        }
        int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
        long count = Tensor.sizeOf(shape);
        String descr = d.group(1);
        int dataStart = start + headerLen;
        ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer data = ByteBuffer.wrap(all, dataStart, all.length - dataStart).slice().order(order);
        String kind = descr.substring(1);
        int width = switch (kind) {
            case "f4", "i4" -> 4;
            case "f8", "i8" -> 8;
            case "u1", "i1", "b1" -> 1;
            default -> throw new IOException(what + ": dtype " + descr + " is not supported (use float32)");
        };
        if ((long) width * count > data.remaining()) {
            throw new IOException(what + " is truncated: expected " + count + " values of " + descr);
        }
        float[] values = new float[(int) count];
        for (int i = 0; i < count; i++) {
            values[i] = switch (kind) {
                case "f4" -> data.getFloat(i * 4);
                case "f8" -> (float) data.getDouble(i * 8);
                case "i4" -> data.getInt(i * 4);
                case "i8" -> data.getLong(i * 8);
                case "u1", "b1" -> data.get(i) & 0xff;
                default -> data.get(i);
            };
        }
        return new Tensor(shape, values);
    }

    /** Writes float32 data, C order. */
    public static byte[] encode(Tensor t) {
        ByteBuffer body = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(t.data());
        return withHeader("<f4", t.shape(), body.array());
    }

    /** Writes int32 data, C order (for label files). */
    public static byte[] encodeInts(int[] values, int... shape) {
        ByteBuffer body = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asIntBuffer().put(values);
        return withHeader("<i4", shape, body.array());
    }

    private static byte[] withHeader(String descr, int[] shape, byte[] body) {
        StringBuilder sh = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sh.append(shape[i]).append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
        }
        sh.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + sh + ", }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream(10 + header.length() + body.length);
        out.writeBytes(MAGIC);
        out.write(1);
        out.write(0);
        int len = header.length();
        out.write(len & 0xff);
        out.write((len >> 8) & 0xff);
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    public static void write(Path path, Tensor t) throws IOException {
        AtomicFiles.write(path, encode(t));
    }

    public static void writeInts(Path path, int[] values, int... shape) throws IOException {
        AtomicFiles.write(path, encodeInts(values, shape));
    }
}
