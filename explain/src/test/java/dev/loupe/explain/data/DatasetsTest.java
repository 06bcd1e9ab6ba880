package dev.loupe.explain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.FashionMnist;
import dev.loupe.engine.io.Idx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir
    Path dir;

    private static byte[] images(int n, int h, int w) {
        byte[] v = new byte[n * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (i * 7);
        }
        return v;
    }

    @Test
    void idxImagesAndLabelsGzippedOrNot() throws Exception {
        byte[] v = images(5, 4, 3);
        Path im = dir.resolve("train-images-idx3-ubyte.gz");
        try (var out = new GZIPOutputStream(Files.newOutputStream(im))) {
            out.write(Idx.encode(new int[] {5, 4, 3}, v));
        }
        Files.write(dir.resolve("train-labels-idx1-ubyte"), Idx.encode(new int[] {5}, new byte[] {3, 1, 4, 1, 5}));
        Dataset d = Datasets.open(im.toString(), null);
        assertEquals(5, d.size());
        assertTrue(d.hasLabels());
        Dataset.Item item = d.item(2);
        assertArrayEquals(new int[] {1, 4, 3}, item.image().shape());
        assertEquals(4, item.label());
        assertEquals((v[2 * 12 + 5] & 0xff) / 255f, item.image().get(0, 1, 2), 1e-7);
    }

    @Test
    void truncatedIdxFileKeepsItsCompleteImagesAndSaysSo() throws Exception {
        byte[] full = Idx.encode(new int[] {5, 4, 3}, images(5, 4, 3));
        Path im = dir.resolve("t-images-idx3-ubyte");
        Files.write(im, java.util.Arrays.copyOf(full, full.length - 20));
        List<String> warnings = new ArrayList<>();
        Dataset d = Datasets.open(im.toString(), warnings::add);
        assertEquals(3, d.size());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("truncated"), warnings.get(0));
        Files.write(im, new byte[] {1, 2, 3, 4, 5, 6});
        IOException e = assertThrows(IOException.class, () -> Datasets.open(im.toString(), null));
        assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());
    }

    @Test
    void anUnreadableItemIsReportedAndSkipped() {
        Dataset flaky = new Dataset() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public int size() {
                return 10;
            }

            @Override
            public Item item(int index) throws IOException {
                if (index == 3 || index == 7) {
                    throw new IOException("image" + index + ".png: not a PNG file");
                }
                return new Item(index, Tensor.of(new float[] {index, index}, 1, 1, 2), index % 2, "image" + index + ".png");
            }
        };
        List<String> warnings = new ArrayList<>();
        List<Integer> seen = new ArrayList<>();
        for (Batch b : new Batches(flaky, 3, 9, null, warnings::add)) {
            assertEquals(b.size(), b.images().dim(0));
            for (int i = 0; i < b.size(); i++) {
                seen.add(b.indices()[i]);
                assertEquals(b.indices()[i], b.images().get(i, 0, 0, 1), 0);
            }
        }
        assertEquals(List.of(0, 1, 2, 4, 5, 6, 8), seen);
        assertEquals(2, warnings.size());
        assertTrue(warnings.get(0).contains("image3.png"), warnings.get(0));
    }

    @Test
    void fashionMnistTestAlwaysOpens() throws Exception {
        Dataset test = Datasets.open("fashion-mnist:test", null);
        assertTrue(test.size() == 1000 || test.size() == 10000, test.name());
        assertEquals(FashionMnist.CLASSES, test.classNames());
        // The first test image is an ankle boot (class 9), the second a pullover (2).
        assertEquals(9, test.item(0).label());
        assertEquals(2, test.item(1).label());
        assertEquals("fashion-mnist:test#1", test.item(1).source());
        assertArrayEquals(new int[] {1, 28, 28}, test.item(0).image().shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.open("fashion-mnist:validation", null));
        assertTrue(e.getMessage().contains("'validation'"), e.getMessage());
    }

    /** Runs {@code body} with Fashion-MNIST looked for in {@code folder}. */
    private static void withFashionDir(Path folder, ThrowingRunnable body) throws Exception {
        String before = System.getProperty(FashionMnist.DIR_PROPERTY);
        System.setProperty(FashionMnist.DIR_PROPERTY, folder.toString());
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty(FashionMnist.DIR_PROPERTY);
            } else {
                System.setProperty(FashionMnist.DIR_PROPERTY, before);
            }
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void withoutTheDataTheTestSplitIsTheBundledSubsetAndTheTrainingSplitSaysHowToGetIt() throws Exception {
        withFashionDir(dir, () -> {
            Dataset test = Datasets.open("fashion-mnist:test", null);
            assertEquals(1000, test.size());
            assertTrue(test.name().contains("bundled 1000-image subset"), test.name());
            assertEquals(9, test.item(0).label());
            IOException e = assertThrows(IOException.class, () -> Datasets.open("fashion-mnist:train", null));
            assertTrue(e instanceof FashionMnist.DataMissingException, e.toString());
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("apt-get install dataset-fashion-mnist")
                    && e.getMessage().contains("1000-image test subset is bundled"), e.getMessage());
        });
    }

    @Test
    void installedFashionMnistIsReadFromItsFolderAndATruncatedFileIsUsedAsFarAsItGoes() throws Exception {
        int n = 4;
        byte[] px = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(px, i * 784, (i + 1) * 784, (byte) (100 + i));
        }
        byte[] images = Idx.encode(new int[] {n, 28, 28}, px);
        Files.write(dir.resolve("train-images-idx3-ubyte"), java.util.Arrays.copyOf(images, images.length - 100));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), Idx.encode(new int[] {n}, new byte[] {5, 6, 7, 8}));
        withFashionDir(dir, () -> {
            List<String> warnings = new ArrayList<>();
            Dataset train = Datasets.open("fashion-mnist:train", warnings::add);
            assertEquals("fashion-mnist:train (" + dir + ")", train.name());
            assertEquals(3, train.size());
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).contains("truncated") && warnings.get(0).contains("3 of 4 images"), warnings.get(0));
            assertEquals(7, train.item(2).label());
            assertEquals(102 / 255f, train.item(2).image().get(0, 27, 27), 1e-7);
            assertEquals("fashion-mnist:train#2", train.item(2).source());
            // The test split is not in the folder: the bundled subset stands in.
            assertEquals(1000, Datasets.open("fashion-mnist:test", null).size());
        });
    }

    @Test
    void npyStackWithSiblingLabels() throws Exception {
        Path p = dir.resolve("stack.npy");
        dev.loupe.engine.io.Npy.write(p, Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2));
        dev.loupe.engine.io.Npy.writeInts(dir.resolve("stack.labels.npy"), new int[] {4, 2}, 2);
        Dataset d = Datasets.open(p.toString(), null);
        assertEquals(2, d.size());
        assertEquals(2, d.item(1).label());
        assertEquals(7f, d.item(1).image().get(0, 1, 0));
    }
}
