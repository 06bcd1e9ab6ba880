package dev.loupe.explain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Tensor;
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
    void fashionMnistTestAlwaysOpensAndTheBundledSubsetMatchesTheInstalledData() throws Exception {
        Dataset bundled = FashionMnist.bundled(null);
        assertEquals(1000, bundled.size());
        assertEquals(10, bundled.classNames().size());
        Dataset test = Datasets.open("fashion-mnist:test", null);
        assertTrue(test.size() == 1000 || test.size() == 10000, test.name());
        if (FashionMnist.isInstalled("test")) {
            for (int i : new int[] {0, 1, 500, 999}) {
                assertArrayEquals(test.item(i).image().data(), bundled.item(i).image().data(), 0f);
                assertEquals(test.item(i).label(), bundled.item(i).label());
            }
        }
        // The first test image is an ankle boot (class 9), the second a pullover (2).
        assertEquals(9, bundled.item(0).label());
        assertEquals(2, bundled.item(1).label());
        assertThrows(IllegalArgumentException.class, () -> Datasets.open("fashion-mnist:validation", null));
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
