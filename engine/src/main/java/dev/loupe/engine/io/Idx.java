package dev.loupe.engine.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format MNIST and Fashion-MNIST ship in: two zero bytes, a type code, the rank, one
 * big-endian 32-bit size per axis, then the values row-major. Only unsigned bytes (type 0x08, what
 * those datasets use) are read; any other type is named in the error. Gzipped files are recognised
 * by their first two bytes, whatever the file is called.
 *
 * <p>{@link #read} insists on a whole file and says how many bytes a short one lacks;
 * {@link #readPartial} returns what a short file holds, for callers that can use the complete
 * items of a truncated download ({@link Array#complete()}).
 */
public final class Idx {
    /** The type code of unsigned bytes. */
    public static final int UNSIGNED_BYTE = 0x08;

    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;

    private Idx() {
    }

    /**
     * An unsigned-byte IDX array.
     *
     * @param shape  the sizes of the axes, as the header declares them
     * @param data   the values, 0..255 each (read with {@code & 0xff}), row-major; shorter than the
     *               shape declares only when returned by {@link #readPartial}
     * @param source what was read (a file name), for messages
     */
    public record Array(int[] shape, byte[] data, String source) {
        /** The number of items (rows along the first axis) the header declares. */
        public int count() {
            return shape[0];
        }

        /** The number of values in one item: the product of the sizes after the first. */
        public int itemSize() {
            int inner = 1;
            for (int i = 1; i < shape.length; i++) {
                inner *= shape[i];
            }
            return inner;
        }

        /** The number of whole items actually present: {@link #count()} unless the file was truncated. */
        public int complete() {
            int inner = itemSize();
            return inner == 0 ? count() : Math.min(count(), data.length / inner);
        }

        /** Whether every value the header declares is present. */
        public boolean isComplete() {
            return data.length == values(shape);
        }
    }

    /**
     * Reads a whole IDX file, gzipped or not.
     *
     * @throws IOException when the file cannot be read, is not IDX, holds a type other than unsigned
     *     bytes, or is shorter than its header says (the message gives both byte counts)
     */
    public static Array read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /** {@link #read(Path)} from a stream; {@code source} names it in messages. */
    public static Array read(InputStream in, String source) throws IOException {
        return read(in, source, false);
    }

    /**
     * Like {@link #read(Path)}, but a file that ends before its header's values do is returned with
     * the values it holds; see {@link Array#complete()} and {@link Array#isComplete()}. The header
     * itself must be whole.
     */
    public static Array readPartial(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readPartial(in, file.toString());
        }
    }

    /** {@link #readPartial(Path)} from a stream; {@code source} names it in messages. */
    public static Array readPartial(InputStream in, String source) throws IOException {
        return read(in, source, true);
    }

    private static Array read(InputStream raw, String source, boolean partial) throws IOException {
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        boolean gzip = b0 == GZIP_MAGIC_0 && b1 == GZIP_MAGIC_1;
        if (gzip) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        String bytesOf = gzip ? " bytes once decompressed" : " bytes";

        byte[] head = new byte[4];
        int got = fill(in, head, 0, 4);
        if (got < 4) {
            throw new IOException(source + " is not an IDX file (" + got + bytesOf + ", less than the 4-byte magic number)");
        }
        if (head[0] != 0 || head[1] != 0) {
            throw new IOException(source + " is not an IDX file (magic number 0x" + hex(head, 0, 4) + "; IDX starts with 0x0000)");
        }
        int type = head[2] & 0xff;
        if (type != UNSIGNED_BYTE) {
            throw new IOException(source + " holds IDX type 0x" + hex(head, 2, 1) + " (" + typeName(type)
                    + "); only unsigned bytes (0x08) are read");
        }
        int rank = head[3] & 0xff;
        if (rank < 1) {
            throw new IOException(source + " is not an IDX array Loupe reads: rank 0 (a single value)");
        }
        int headerSize = 4 + 4 * rank;
        byte[] dims = new byte[4 * rank];
        got = fill(in, dims, 0, dims.length);
        if (got < dims.length) {
            throw new IOException(source + " is truncated: its IDX header of rank " + rank + " needs " + headerSize
                    + " bytes, the file holds " + (4 + got) + bytesOf);
        }
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            int o = 4 * i;
            shape[i] = ((dims[o] & 0xff) << 24) | ((dims[o + 1] & 0xff) << 16) | ((dims[o + 2] & 0xff) << 8) | (dims[o + 3] & 0xff);
            if (shape[i] < 0) {
                throw new IOException(source + ": negative size " + shape[i] + " on axis " + i + " of the IDX header");
            }
        }
        long size = values(shape);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException(source + ": IDX array " + Arrays.toString(shape) + " (" + size + " values) is too large to read");
        }
        // Grow towards the declared size instead of trusting the header with one big allocation: a
        // damaged header must not cost gigabytes before the file runs out.
        byte[] data = new byte[(int) Math.min(size, 1 << 20)];
        int have = 0;
        while (true) {
            int n = fill(in, data, have, data.length - have);
            have += n;
            if (have < data.length || data.length == size) {
                break;
            }
            data = Arrays.copyOf(data, (int) Math.min(size, 2L * data.length));
        }
        if (have < size) {
            if (!partial) {
                throw new IOException(source + " is truncated: its header announces " + Arrays.toString(shape) + ", "
                        + (headerSize + size) + " bytes with the " + headerSize + "-byte header, but it holds " + (headerSize + have)
                        + bytesOf + " (" + (size - have) + " missing)");
            }
            data = Arrays.copyOf(data, have);
        }
        return new Array(shape, data, source);
    }

    /**
     * Reads into {@code b[off, off + len)} until it is full or the stream ends; a gzip stream cut
     * short ends like a short file. Returns the number of bytes read.
     */
    private static int fill(InputStream in, byte[] b, int off, int len) throws IOException {
        int n = 0;
        while (n < len) {
            int r;
            try {
                r = in.read(b, off + n, len - n);
            } catch (EOFException e) {
                // GZIPInputStream: "Unexpected end of ZLIB input stream".
                return n;
            }
            if (r < 0) {
                return n;
            }
            n += r;
        }
        return n;
    }

    private static long values(int[] shape) {
        long size = 1;
        for (int s : shape) {
            size *= s;
        }
        return size;
    }

    /** The type codes the IDX format defines, for messages. */
    private static String typeName(int type) {
        return switch (type) {
            case 0x08 -> "unsigned bytes";
            case 0x09 -> "signed bytes";
            case 0x0B -> "16-bit integers";
            case 0x0C -> "32-bit integers";
            case 0x0D -> "32-bit floats";
            case 0x0E -> "64-bit floats";
            default -> "not a type IDX defines";
        };
    }

    private static String hex(byte[] b, int off, int len) {
        StringBuilder s = new StringBuilder();
        for (int i = off; i < off + len; i++) {
            s.append(String.format(Locale.ROOT, "%02x", b[i] & 0xff));
        }
        return s.toString();
    }

    /** Encodes an unsigned-byte IDX array, uncompressed: the inverse of {@link #read}. */
    public static byte[] encode(int[] shape, byte[] data) {
        if (shape.length < 1 || shape.length > 255) {
            throw new IllegalArgumentException("IDX arrays have rank 1..255, not " + shape.length);
        }
        if (values(shape) != data.length) {
            throw new IllegalArgumentException(data.length + " values do not fill " + Arrays.toString(shape));
        }
        byte[] out = new byte[4 + 4 * shape.length + data.length];
        out[2] = UNSIGNED_BYTE;
        out[3] = (byte) shape.length;
        for (int i = 0; i < shape.length; i++) {
            int o = 4 + 4 * i;
            out[o] = (byte) (shape[i] >>> 24);
            out[o + 1] = (byte) (shape[i] >>> 16);
            out[o + 2] = (byte) (shape[i] >>> 8);
            out[o + 3] = (byte) shape[i];
        }
        System.arraycopy(data, 0, out, 4 + 4 * shape.length, data.length);
        return out;
    }
}
