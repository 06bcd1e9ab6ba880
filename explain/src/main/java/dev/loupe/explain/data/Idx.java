package dev.loupe.explain.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST: a magic number naming the element type and rank, the
 * big-endian dimensions, then the values. Unsigned bytes only (what those datasets use); gzip is
 * recognised by its magic bytes, not the file name.
 */
public final class Idx {
    private Idx() {
    }

    /** An unsigned-byte IDX array: its dimensions and values (possibly fewer than declared, see {@link #complete}). */
    public record Array(int[] dims, byte[] values, String source) {
        /** The number of whole items (rows along the first axis) actually present. */
        public int complete() {
            int inner = 1;
            for (int i = 1; i < dims.length; i++) {
                inner *= dims[i];
            }
            return inner == 0 ? 0 : Math.min(dims[0], values.length / inner);
        }
    }

    /**
     * Reads an IDX file. A file shorter than its header declares is returned with what it holds
     * (callers check {@link Array#complete()}); a bad magic number or non-byte type is an error.
     */
    public static Array read(Path path) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path))) {
            return read(raw, path.toString());
        }
    }

    public static Array read(InputStream raw, String what) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        byte[] all;
        try {
            all = in.readAllBytes();
        } catch (java.io.EOFException e) {
            throw new IOException(what + ": truncated gzip stream", e);
        }
        if (all.length < 4) {
            throw new IOException(what + " is not an IDX file (too short)");
        }
        if (all[0] != 0 || all[1] != 0) {
            throw new IOException(what + " is not an IDX file (bad magic " + String.format("%02x%02x%02x%02x", all[0], all[1], all[2], all[3]) + ")");
        }
        if (all[2] != 0x08) {
            throw new IOException(what + ": IDX element type 0x" + Integer.toHexString(all[2] & 0xff) + " is not supported (unsigned bytes only)");
        }
        int rank = all[3];
        if (rank < 1 || all.length < 4 + 4 * rank) {
            throw new IOException(what + ": IDX header is truncated or has rank " + rank);
        }
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            int o = 4 + 4 * i;
            dims[i] = ((all[o] & 0xff) << 24) | ((all[o + 1] & 0xff) << 16) | ((all[o + 2] & 0xff) << 8) | (all[o + 3] & 0xff);
            if (dims[i] < 0) {
                throw new IOException(what + ": negative IDX dimension");
            }
            count *= dims[i];
        }
        int start = 4 + 4 * rank;
        int have = (int) Math.min(count, all.length - start);
        byte[] values = java.util.Arrays.copyOfRange(all, start, start + have);
        return new Array(dims, values, what);
    }

    /** Encodes an unsigned-byte IDX array (uncompressed). */
    public static byte[] encode(int[] dims, byte[] values) {
        byte[] out = new byte[4 + 4 * dims.length + values.length];
        out[2] = 0x08;
        out[3] = (byte) dims.length;
        for (int i = 0; i < dims.length; i++) {
            int o = 4 + 4 * i;
            out[o] = (byte) (dims[i] >>> 24);
            out[o + 1] = (byte) (dims[i] >>> 16);
            out[o + 2] = (byte) (dims[i] >>> 8);
            out[o + 3] = (byte) dims[i];
        }
        System.arraycopy(values, 0, out, 4 + 4 * dims.length, values.length);
        return out;
    }
}
