package dev.loupe.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.io.FashionMnist;
import dev.loupe.engine.io.Idx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spurious mark and the data set names of {@code loupe evaluate}, on small synthetic files.
 * Reading and finding the data is tested with it, in {@code dev.loupe.engine.io}.
 */
class FashionDataTest {
    @TempDir
    Path dir;

    /** A fake training split of n images; image i is filled with value i, label i % 10. */
    private void fakeData(int n) throws IOException {
        byte[] px = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(px, i * 784, (i + 1) * 784, (byte) i);
            labels[i] = (byte) (i % 10);
        }
        Files.write(dir.resolve("train-images-idx3-ubyte"), Idx.encode(new int[] {n, 28, 28}, px));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), Idx.encode(new int[] {n}, labels));
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
