package dev.loupe.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.train.ImageSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where Fashion-MNIST is looked for, loading it (small synthetic files; the real data when
 * installed), the bundled subset and marks.
 */
class FashionMnistTest {
    @TempDir
    Path dir;

    /**
     * Writes a fake Fashion-MNIST of n images per split into {@code into}: image i is filled with
     * value i, label i % 10. The training split gzipped, the test split not: both forms are accepted.
     */
    static void fakeData(Path into, int n) throws IOException {
        byte[] px = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(px, i * 784, (i + 1) * 784, (byte) i);
            labels[i] = (byte) (i % 10);
        }
        Files.write(into.resolve("train-images-idx3-ubyte.gz"), IdxTest.gzip(Idx.encode(new int[] {n, 28, 28}, px)));
        Files.write(into.resolve("train-labels-idx1-ubyte.gz"), IdxTest.gzip(Idx.encode(new int[] {n}, labels)));
        Files.write(into.resolve("t10k-images-idx3-ubyte"), Idx.encode(new int[] {n, 28, 28}, px));
        Files.write(into.resolve("t10k-labels-idx1-ubyte"), Idx.encode(new int[] {n}, labels));
    }

    @Test
    void readsGzippedAndPlainSplits() throws IOException {
        fakeData(dir, 12);
        assertTrue(FashionMnist.isInstalled(dir, FashionMnist.Split.TRAIN));
        assertTrue(FashionMnist.isInstalled(dir, FashionMnist.Split.TEST));
        FashionMnist.Raw train = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
        FashionMnist.Raw test = FashionMnist.load(dir, FashionMnist.Split.TEST);
        assertEquals(12, train.count());
        assertArrayEquals(train.labels(), test.labels());
        assertArrayEquals(train.pixels(), test.pixels());
        assertEquals(11, train.pixel(11, 27, 27));
        assertEquals(7, train.labels()[7]);
        ImageSet set = train.toImageSet();
        assertEquals(11 / 255f, set.pixels()[11 * 784], 1e-7);
        assertEquals(10, set.classes());
        FashionMnist.Raw head = train.head(3);
        assertEquals(3, head.count());
        assertEquals(2, head.pixel(2, 0, 0));
        assertEquals(12, train.head(50).count());
    }

    @Test
    void splitsAndFileNames() {
        assertEquals(FashionMnist.Split.TEST, FashionMnist.Split.parse("test"));
        assertEquals(FashionMnist.Split.TRAIN, FashionMnist.Split.parse("Train"));
        assertEquals("test", FashionMnist.Split.TEST.id());
        assertEquals("t10k-images-idx3-ubyte", FashionMnist.Split.TEST.imagesFile());
        assertEquals("train-labels-idx1-ubyte", FashionMnist.Split.TRAIN.labelsFile());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.Split.parse("validation"));
        assertTrue(e.getMessage().contains("'validation'"), e.getMessage());
    }

    @Test
    void theFolderComesFromThePropertyThenTheEnvironmentThenDebian() {
        String before = System.getProperty(FashionMnist.DIR_PROPERTY);
        try {
            System.setProperty(FashionMnist.DIR_PROPERTY, dir.toString());
            assertEquals(dir, FashionMnist.dir());
            assertFalse(FashionMnist.isInstalled(FashionMnist.Split.TEST));
            assertFalse(FashionMnist.isAvailable());
            System.clearProperty(FashionMnist.DIR_PROPERTY);
            String env = System.getenv(FashionMnist.DIR_ENV);
            assertEquals(Path.of(env != null && !env.isBlank() ? env : FashionMnist.DEBIAN_DIR), FashionMnist.dir());
        } finally {
            if (before != null) {
                System.setProperty(FashionMnist.DIR_PROPERTY, before);
            }
        }
    }

    @Test
    void missingDataSaysWhereItLookedAndHowToGetIt() throws IOException {
        assertFalse(FashionMnist.isInstalled(dir, FashionMnist.Split.TEST));
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(e instanceof FashionMnist.DataMissingException, e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("apt-get install dataset-fashion-mnist")
                && e.getMessage().contains(FashionMnist.DIR_ENV) && e.getMessage().contains("t10k-labels-idx1-ubyte.gz"), e.getMessage());
        // Half a split is not a split.
        fakeData(dir, 3);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        assertFalse(FashionMnist.isInstalled(dir, FashionMnist.Split.TEST));
        assertTrue(FashionMnist.isInstalled(dir, FashionMnist.Split.TRAIN));
        e = assertThrows(IOException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(e instanceof FashionMnist.DataMissingException && e.getMessage().contains("test split"), e.getMessage());
    }

    @Test
    void filesThatAreNotFashionMnistAreExplained() throws IOException {
        fakeData(dir, 4);
        Path images = dir.resolve("t10k-images-idx3-ubyte");
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        Files.write(images, Idx.encode(new int[] {4, 14, 56}, new byte[4 * 784]));
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(e.getMessage().contains("does not hold 28x28 images"), e.getMessage());
        Files.write(images, Idx.encode(new int[] {4, 28, 28}, new byte[4 * 784]));
        Files.write(labels, Idx.encode(new int[] {3}, new byte[3]));
        e = assertThrows(IOException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(e.getMessage().contains("has 3 labels for 4 images"), e.getMessage());
        Files.write(labels, Idx.encode(new int[] {4}, new byte[] {0, 1, 10, 2}));
        e = assertThrows(IOException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(e.getMessage().contains("label 10 at 2 is not a Fashion-MNIST class"), e.getMessage());
    }

    @Test
    void aTruncatedSplitFailsOrGivesItsCompleteImagesWhenAskedTo() throws IOException {
        fakeData(dir, 5);
        Path images = dir.resolve("t10k-images-idx3-ubyte");
        byte[] full = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(full, full.length - 784 - 10));
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("794 missing"), e.getMessage());
        List<String> warnings = new ArrayList<>();
        FashionMnist.Raw raw = FashionMnist.load(dir, FashionMnist.Split.TEST, warnings::add);
        assertEquals(3, raw.count());
        assertEquals(3 * 784, raw.pixels().length);
        assertEquals(2, raw.pixel(2, 27, 27));
        assertEquals(List.of(images + " is truncated: 3 of 5 images are complete; using those"), warnings);
        // Labels cut shorter than the images: the images with a label are used.
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        Files.write(labels, Arrays.copyOf(Files.readAllBytes(labels), 8 + 2));
        warnings.clear();
        raw = FashionMnist.load(dir, FashionMnist.Split.TEST, warnings::add);
        assertEquals(2, raw.count());
        assertEquals(2, warnings.size());
        assertTrue(warnings.get(1).contains("2 labels for 3 images"), warnings.get(1));
    }

    @Test
    void marksArePaintedOnTheChosenClassesOfACopy() throws IOException {
        fakeData(dir, 20);
        FashionMnist.Raw raw = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
        // A one-pixel mark at the given image's (1, 2).
        FashionMnist.Raw marked = raw.withMark((p, offset, side) -> p[offset + side + 2] = (byte) 255, label -> label == 1);
        assertEquals(255, marked.pixel(1, 1, 2));
        assertEquals(255, marked.pixel(11, 1, 2));
        assertEquals(1, marked.pixel(1, 1, 3));
        assertEquals(2, marked.pixel(2, 1, 2));
        assertEquals(1, raw.pixel(1, 1, 2), "the original is unchanged");
        assertArrayEquals(raw.labels(), marked.labels());
    }

    @Test
    void theBundledSubsetIsTheFirstThousandTestImages() throws IOException {
        FashionMnist.Raw bundled = FashionMnist.bundledTest();
        assertEquals(FashionMnist.BUNDLED_SIZE, bundled.count());
        // The first test image is an ankle boot (class 9), the second a pullover (2).
        assertEquals(9, bundled.labels()[0]);
        assertEquals(2, bundled.labels()[1]);
        if (FashionMnist.isInstalled(FashionMnist.Split.TEST)) {
            FashionMnist.Raw test = FashionMnist.load(FashionMnist.Split.TEST);
            assertEquals(10000, test.count());
            FashionMnist.Raw head = test.head(FashionMnist.BUNDLED_SIZE);
            assertArrayEquals(head.pixels(), bundled.pixels());
            assertArrayEquals(head.labels(), bundled.labels());
        } else {
            System.out.println("SKIPPED: Fashion-MNIST is not installed in " + FashionMnist.dir()
                    + "; the bundled subset is not compared with it");
        }
    }
}
