package dev.loupe.train;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * A minimal reader of the IDX files MNIST and Fashion-MNIST ship in: a big-endian header (two zero
 * bytes, the type code 0x08 for unsigned bytes, the rank) with one 32-bit size per axis, then the
 * values. Files ending in {@code .gz} are decompressed on the fly. Only unsigned-byte data is read.
 *
 * <p>Kept deliberately small and self-contained; when the dataset readers of the indirect
 * explanations land, the two should merge.
 */
public final class Idx {
    private static final int UBYTE = 0x08;

    /** @param shape the sizes of the axes; @param data the values, 0..255 each, row-major */
    public record Array(int[] shape, byte[] data) {
        public int count() {
            return shape[0];
        }
    }

    private Idx() {
    }

    /**
     * @throws IOException when the file cannot be read, is not IDX, holds a type other than
     *     unsigned bytes, or is shorter than its header says
     */
    public static Array read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : new BufferedInputStream(raw, 1 << 16);
                DataInputStream d = new DataInputStream(in)) {
            int magic = d.readInt();
            int type = (magic >>> 8) & 0xff;
            int rank = magic & 0xff;
            if ((magic >>> 16) != 0 || rank < 1 || rank > 4) {
                throw new IOException(file + " is not an IDX file (magic number 0x" + Integer.toHexString(magic) + ")");
            }
            if (type != UBYTE) {
                throw new IOException(file + " holds IDX type 0x" + Integer.toHexString(type) + "; only unsigned bytes (0x08) are read");
            }
            int[] shape = new int[rank];
            long size = 1;
            for (int i = 0; i < rank; i++) {
                shape[i] = d.readInt();
                if (shape[i] < 0) {
                    throw new IOException(file + ": negative size in the IDX header");
                }
                size *= shape[i];
            }
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": " + Arrays.toString(shape) + " is too large");
            }
            byte[] data = new byte[(int) size];
            try {
                d.readFully(data);
            } catch (EOFException e) {
                throw new IOException(file + " is truncated: the header announces " + Arrays.toString(shape) + " values", e);
            }
            return new Array(shape, data);
        }
    }
}
