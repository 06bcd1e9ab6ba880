package dev.loupe.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.train.ImageSet;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader, the data folder lookup, the spurious mark and data set names, on small synthetic files. */
class FashionDataTest {
    @TempDir
    Path dir;

    private static byte[] idx(int[] shape, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x0800 | shape.length);
        for (int s : shape) {
            d.writeInt(s);
        }
        d.write(data);
        return b.toByteArray();
    }

    private void write(String name, byte[] bytes, boolean gz) throws IOException {
        try (OutputStream out = gz ? new GZIPOutputStream(Files.newOutputStream(dir.resolve(name + ".gz")))
                : Files.newOutputStream(dir.resolve(name))) {
            out.write(bytes);
        }
    }

    /** A fake Fashion-MNIST of n images per split; image i is filled with value i, label i % 10. */
    private void fakeData(int n) throws IOException {
        byte[] px = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(px, i * 784, (i + 1) * 784, (byte) i);
            labels[i] = (byte) (i % 10);
        }
        write("train-images-idx3-ubyte", idx(new int[] {n, 28, 28}, px), true);
        write("train-labels-idx1-ubyte", idx(new int[] {n}, labels), true);
        // The test split uncompressed: both forms are accepted.
        write("t10k-images-idx3-ubyte", idx(new int[] {n, 28, 28}, px), false);
        write("t10k-labels-idx1-ubyte", idx(new int[] {n}, labels), false);
    }

    @Test
    void readsGzippedAndPlainIdx() throws IOException {
        fakeData(12);
        assertTrue(FashionMnist.isPresent(dir));
        FashionMnist.Raw train = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
        FashionMnist.Raw test = FashionMnist.load(dir, FashionMnist.Split.TEST);
        assertEquals(12, train.count());
        assertArrayEquals(train.labels(), test.labels());
        assertEquals(11, train.pixel(11, 27, 27));
        assertEquals(7, train.labels()[7]);
        ImageSet set = train.toImageSet();
        assertEquals(11 / 255f, set.pixels()[11 * 784], 1e-7);
        assertEquals(10, set.classes());
    }

    @Test
    void badFilesAreExplained() throws IOException {
        Path f = dir.resolve("x-idx1-ubyte");
        Files.write(f, new byte[] {1, 2, 3, 4});
        assertTrue(assertThrows(IOException.class, () -> Idx.read(f)).getMessage().contains("not an IDX file"));
        Files.write(f, idx(new int[] {10}, new byte[3]));
        assertTrue(assertThrows(IOException.class, () -> Idx.read(f)).getMessage().contains("truncated"));
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        assertTrue(!FashionMnist.isPresent(empty));
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(empty, FashionMnist.Split.TEST));
        assertTrue(e instanceof FashionMnist.DataMissingException, e.getMessage());
    }

    @Test
    void markPaintsAWhiteSquareOnTheChosenClassOnly() throws IOException {
        fakeData(20);
        FashionMnist.Raw raw = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
        FashionMnist.Raw marked = raw.withMark(SpuriousMark.DEFAULT, label -> label == 1);
        // Image 1 (label 1): the 4x4 square from (1,1) to (4,4) is white, the rest untouched.
        assertEquals(255, marked.pixel(1, 1, 1));
        assertEquals(255, marked.pixel(1, 4, 4));
        assertEquals(1, marked.pixel(1, 5, 5));
        assertEquals(1, marked.pixel(1, 0, 0));
        // Image 11 also has label 1; image 2 (label 2) carries no mark; the original is unchanged.
        assertEquals(255, marked.pixel(11, 2, 3));
        assertEquals(2, marked.pixel(2, 2, 2));
        assertEquals(1, raw.pixel(1, 1, 1));
        FashionMnist.Raw moved = raw.withMark(SpuriousMark.DEFAULT.at(SpuriousMark.Corner.BOTTOM_RIGHT), label -> true);
        assertEquals(255, moved.pixel(0, 26, 26));
        assertEquals(255, moved.pixel(0, 23, 23));
        assertEquals(0, moved.pixel(0, 22, 22));
    }

    @Test
    void dataSetNames() {
        assertEquals(new FashionTraining.DataSpec(FashionMnist.Split.TEST, -1, false), FashionTraining.DataSpec.parse("fashion-mnist:test"));
        assertEquals(new FashionTraining.DataSpec(FashionMnist.Split.TRAIN, 1, false),
                FashionTraining.DataSpec.parse("fashion-mnist:train:mark=Trouser"));
        assertEquals(new FashionTraining.DataSpec(FashionMnist.Split.TEST, 6, true),
                FashionTraining.DataSpec.parse("fashion-mnist:test:mark-others=6"));
        assertEquals(0, FashionTraining.classIndex("t-shirt/top"));
        for (String bad : new String[] {"mnist:test", "fashion-mnist", "fashion-mnist:val", "fashion-mnist:test:mark=Hat",
                "fashion-mnist:test:blur=1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionTraining.DataSpec.parse(bad), bad);
            assertTrue(e.getMessage().contains("'"), e.getMessage());
        }
    }
}
