package dev.loupe.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader: both encodings, and every way a file can be wrong, with the message it gets. */
class IdxTest {
    @TempDir
    Path dir;

    private static byte[] values(int n) {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) {
            v[i] = (byte) (i * 7);
        }
        return v;
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    private String readError(byte[] content) throws IOException {
        Path f = dir.resolve("x-idx3-ubyte");
        Files.write(f, content);
        String m = assertThrows(IOException.class, () -> Idx.read(f)).getMessage();
        assertTrue(m.startsWith(f.toString()), "the message names the file: " + m);
        return m;
    }

    @Test
    void readsWhatEncodeWritesGzippedOrNotWhateverTheName() throws IOException {
        byte[] v = values(5 * 4 * 3);
        byte[] idx = Idx.encode(new int[] {5, 4, 3}, v);
        assertEquals(4 + 12 + 60, idx.length);
        assertArrayEquals(new byte[] {0, 0, 0x08, 3, 0, 0, 0, 5}, Arrays.copyOf(idx, 8));
        // Gzip is told by its magic bytes: a gzipped file without .gz and a plain one named .gz both read.
        Path plain = dir.resolve("plain.gz");
        Path zipped = dir.resolve("zipped-idx3-ubyte");
        Files.write(plain, idx);
        Files.write(zipped, gzip(idx));
        for (Path p : new Path[] {plain, zipped}) {
            Idx.Array a = Idx.read(p);
            assertArrayEquals(new int[] {5, 4, 3}, a.shape());
            assertArrayEquals(v, a.data());
            assertEquals(p.toString(), a.source());
            assertEquals(5, a.count());
            assertEquals(12, a.itemSize());
            assertEquals(5, a.complete());
            assertTrue(a.isComplete());
        }
        Idx.Array s = Idx.read(new ByteArrayInputStream(gzip(Idx.encode(new int[] {3}, new byte[] {(byte) 200, 1, 2}))), "stream");
        assertEquals(200, s.data()[0] & 0xff);
        assertEquals("stream", s.source());
        // Bytes after the declared values are ignored.
        byte[] longer = Arrays.copyOf(idx, idx.length + 9);
        assertArrayEquals(v, Idx.read(new ByteArrayInputStream(longer), "longer").data());
    }

    @Test
    void readsMoreThanTheFirstBufferOfAnArray() throws IOException {
        byte[] v = values(3 * 1000 * 1000);
        Idx.Array a = Idx.read(new ByteArrayInputStream(gzip(Idx.encode(new int[] {3, 1000, 1000}, v))), "big");
        assertArrayEquals(v, a.data());
        assertEquals(0, Idx.read(new ByteArrayInputStream(Idx.encode(new int[] {0, 28, 28}, new byte[0])), "empty").data().length);
    }

    @Test
    void notIdxWrongTypeAndBadHeadersAreExplained() throws IOException {
        String m = readError(new byte[] {1, 2, 3, 4});
        assertTrue(m.contains("not an IDX file") && m.contains("0x01020304"), m);
        m = readError(new byte[] {0, 0});
        assertTrue(m.contains("not an IDX file") && m.contains("2 bytes"), m);
        byte[] floats = Idx.encode(new int[] {2}, new byte[2]);
        floats[2] = 0x0D;
        m = readError(floats);
        assertTrue(m.contains("type 0x0d") && m.contains("32-bit floats") && m.contains("only unsigned bytes (0x08)"), m);
        floats[2] = 0x42;
        m = readError(floats);
        assertTrue(m.contains("type 0x42") && m.contains("not a type IDX defines"), m);
        m = readError(new byte[] {0, 0, 8, 0});
        assertTrue(m.contains("rank 0"), m);
        byte[] negative = Idx.encode(new int[] {1, 1}, new byte[1]);
        negative[8] = (byte) 0xff;
        m = readError(negative);
        assertTrue(m.contains("negative size"), m);
        m = readError(Arrays.copyOf(Idx.encode(new int[] {5, 4, 3}, values(60)), 10));
        assertTrue(m.contains("truncated") && m.contains("needs 16 bytes") && m.contains("holds 10"), m);
        Path f = dir.resolve("x-idx3-ubyte");
        assertThrows(IOException.class, () -> Idx.readPartial(f), "a short header is an error even for readPartial");
        byte[] huge = Idx.encode(new int[] {1, 1, 1}, new byte[1]);
        huge[4] = 0x7f;
        huge[8] = 0x7f;
        m = readError(huge);
        assertTrue(m.contains("too large"), m);
    }

    @Test
    void aTruncatedFileSaysHowManyBytesAreMissingOrGivesItsCompleteItems() throws IOException {
        byte[] full = Idx.encode(new int[] {5, 4, 3}, values(60));
        byte[] cut = Arrays.copyOf(full, full.length - 20);
        String m = readError(cut);
        assertTrue(m.contains("truncated") && m.contains("[5, 4, 3]") && m.contains("76 bytes with the 16-byte header")
                && m.contains("holds 56") && m.contains("(20 missing)"), m);
        Path f = dir.resolve("x-idx3-ubyte");
        Idx.Array a = Idx.readPartial(f);
        assertArrayEquals(new int[] {5, 4, 3}, a.shape());
        assertEquals(40, a.data().length);
        assertEquals(3, a.complete());
        assertEquals(5, a.count());
        assertFalse(a.isComplete());
        assertArrayEquals(Arrays.copyOf(values(60), 40), a.data());
    }

    @Test
    void aGzipStreamCutShortIsATruncatedFile() throws IOException {
        byte[] z = gzip(Idx.encode(new int[] {100, 28, 28}, values(100 * 784)));
        byte[] cut = Arrays.copyOf(z, z.length / 2);
        String m = readError(cut);
        assertTrue(m.contains("truncated") && m.contains("once decompressed") && m.contains("missing"), m);
        Idx.Array a = Idx.readPartial(new ByteArrayInputStream(cut), "half");
        assertTrue(a.complete() < 100, "complete " + a.complete());
        assertFalse(a.isComplete());
        assertArrayEquals(Arrays.copyOf(values(100 * 784), a.data().length), a.data());
    }

    @Test
    void encodeChecksItsArguments() {
        assertThrows(IllegalArgumentException.class, () -> Idx.encode(new int[] {2, 2}, new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> Idx.encode(new int[0], new byte[1]));
    }
}
