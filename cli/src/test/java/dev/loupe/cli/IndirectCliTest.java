package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.data.Datasets;
import dev.loupe.explain.embedding.ExactIndex;
import dev.loupe.explain.embedding.NeighborIndex;
import dev.loupe.onnx.testing.OnnxBuilder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indirect commands end to end on a tiny random-weight Fashion-MNIST-shaped classifier
 * (1×28×28 → conv 3×3 → ReLU → max pool 2 → conv 3×3 → ReLU → global average pool → flatten →
 * Gemm) and the fashion-mnist:test data (installed, or the bundled subset).
 */
class IndirectCliTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void build() throws IOException {
        Random rng = new Random(3);
        OnnxBuilder b = new OnnxBuilder(13).input("x", "batch", 1, 28, 28);
        String w1 = b.weight("w1", OnnxBuilder.random(rng, 0.5f, 4, 1, 3, 3));
        String w2 = b.weight("w2", OnnxBuilder.random(rng, 0.3f, 6, 4, 3, 3));
        String fc = b.weight("fc", OnnxBuilder.random(rng, 0.5f, 10, 6));
        b.node("Conv", List.of("x", w1), List.of("conv1"), "pads", new int[] {1, 1, 1, 1});
        b.node("Relu", List.of("conv1"), List.of("relu1"));
        b.node("MaxPool", List.of("relu1"), List.of("pool1"), "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2});
        b.node("Conv", List.of("pool1", w2), List.of("conv2"), "pads", new int[] {1, 1, 1, 1});
        b.node("Relu", List.of("conv2"), List.of("relu2"));
        b.node("GlobalAveragePool", List.of("relu2"), List.of("gap"));
        b.node("Flatten", List.of("gap"), List.of("features"));
        b.node("Gemm", List.of("features", fc), List.of("logits"), "transB", 1L);
        b.output("logits");
        model = dir.resolve("tiny-fmnist.onnx");
        Files.write(model, b.bytes());
    }

    private static BufferedImage png(Path p) throws IOException {
        BufferedImage img = ImageIO.read(p.toFile());
        assertTrue(img != null && img.getWidth() > 20 && img.getHeight() > 20, "a picture at " + p);
        return img;
    }

    @Test
    void filtersDrawsTheFirstConvAndADeeperOne() throws IOException {
        Path out = dir.resolve("filters.png");
        Run r = Run.of("filters", "--model", model.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("4 filters of 1x3x3, drew 4 tiles"), r.out());
        png(out);
        Run deep = Run.of("filters", "--model", model.toString(), "--layer", "conv2", "--max-filters", "3", "--max-channels", "2",
                "--out", out.toString());
        assertEquals(0, deep.code(), deep.toString());
        assertTrue(deep.out().contains("6 filters of 4x3x3, drew 6 tiles"), deep.out());
        Run bad = Run.of("filters", "--model", model.toString(), "--layer", "nope", "--out", out.toString());
        assertEquals(Main.USAGE, bad.code());
        assertTrue(bad.err().contains("the Conv nodes are"), bad.err());
    }

    @Test
    void activationsGridOfTheTopChannels() throws IOException {
        Path x = dir.resolve("x.npy");
        Dataset d = Datasets.open("fashion-mnist:test", null);
        Npy.write(x, d.item(0).image().reshape(1, 1, 28, 28));
        Path out = dir.resolve("act.png");
        Run r = Run.of("activations", "--model", model.toString(), "--tensor", x.toString(), "--layer", "relu2", "--out", out.toString(),
                "--top", "3", "--overlay");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("wrote activation grid"), r.out());
        png(out);
        Run none = Run.of("activations", "--model", model.toString(), "--tensor", x.toString(), "--layer", "relu2");
        assertEquals(Main.USAGE, none.code(), none.toString());
    }

    @Test
    void patchesReportTheFieldAndThroughput() throws IOException {
        Path out = dir.resolve("patches.png");
        Run r = Run.of("patches", "--model", model.toString(), "--data", "fashion-mnist:test", "--limit", "64", "--batch", "16",
                "--layer", "relu2", "--channels", "0,1,2", "--k", "4", "--deconv", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        // conv 3 pad 1 (size 3), pool 2/2 (size 4, stride 2), conv 3 pad 1 (size 8, start -3).
        assertTrue(r.out().contains("64 images in"), r.out());
        assertTrue(r.out().contains("receptive field size 8, stride 2, start -3"), r.out());
        assertTrue(r.out().contains("channel 2: fashion-mnist:test#"), r.out());
        BufferedImage img = png(out);
        assertTrue(img.getWidth() > 8 * 64, "4 patches and 4 reconstructions per row: " + img.getWidth());
    }

    @Test
    void deconvOfOneImage() throws IOException {
        Path x = dir.resolve("x1.npy");
        Npy.write(x, Datasets.open("fashion-mnist:test", null).item(1).image().reshape(1, 1, 28, 28));
        Path out = dir.resolve("deconv.png");
        Path rec = dir.resolve("rec.npy");
        Run r = Run.of("deconv", "--model", model.toString(), "--tensor", x.toString(), "--layer", "relu2", "--channel", "1",
                "--out", out.toString(), "--npy", rec.toString());
        assertEquals(0, r.code(), r.toString());
        assertArrayEquals(new int[] {1, 28, 28}, Npy.read(rec).shape());
        png(out);
    }

    @Test
    void embedThenTsneAndNeighbours() throws IOException {
        Path emb = dir.resolve("emb.npy");
        Path lab = dir.resolve("lab.npy");
        Run r = Run.of("embed", "--model", model.toString(), "--data", "fashion-mnist:test", "--limit", "300", "--batch", "32",
                "--npy", emb.toString(), "--labels-npy", lab.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("300 x 6 at 'features'"), r.out());
        Tensor e = Npy.read(emb);
        assertArrayEquals(new int[] {300, 6}, e.shape());
        float[] labels = Npy.read(lab).data();
        Dataset d = Datasets.open("fashion-mnist:test", null);
        for (int i : new int[] {0, 1, 299}) {
            assertEquals(d.item(i).label(), (int) labels[i]);
        }
        List<String> paths = Files.readAllLines(dir.resolve("emb.paths.txt"));
        assertEquals(300, paths.size());
        assertEquals("fashion-mnist:test#7", paths.get(7));

        Path map = dir.resolve("map.svg");
        Path coords = dir.resolve("xy.npy");
        Path thumbs = dir.resolve("thumbs.png");
        Run t = Run.of("tsne", "--embeddings", emb.toString(), "--labels", lab.toString(), "--perplexity", "20", "--out", map.toString(),
                "--npy", coords.toString(), "--data", "fashion-mnist:test", "--thumbnails", thumbs.toString(), "--cells", "12");
        assertEquals(0, t.code(), t.toString());
        assertArrayEquals(new int[] {300, 2}, Npy.read(coords).shape());
        Matcher m = Pattern.compile("trustworthiness \\(k=10\\): ([0-9.]+)").matcher(t.out());
        assertTrue(m.find(), t.out());
        assertTrue(Double.parseDouble(m.group(1)) > 0.8, t.out());
        assertTrue(t.out().contains("2-D 10-NN accuracy"), t.out());
        String svg = Files.readString(map);
        assertTrue(svg.startsWith("<svg") && svg.contains("Ankle boot") && svg.split("<circle").length > 300, "scatter with legend");
        png(thumbs);

        Path nn = dir.resolve("nn.png");
        Run q = Run.of("neighbors", "--model", model.toString(), "--data", "fashion-mnist:test", "--limit", "300", "--query", "0",
                "--k", "3", "--space", "both", "--out", nn.toString());
        assertEquals(0, q.code(), q.toString());
        png(nn);
        // The pixel-space neighbours are the exact L2 ones, the query itself excluded.
        float[] pixels = new float[300 * 784];
        for (int i = 0; i < 300; i++) {
            System.arraycopy(d.item(i).image().data(), 0, pixels, i * 784, 784);
        }
        List<NeighborIndex.Neighbor> exact = new ExactIndex(pixels, 300, 784).search(d.item(0).image().data(), 4);
        String expected = "#0 pixel: fashion-mnist:test#" + exact.get(1).index() + " ";
        assertTrue(q.out().contains(expected), expected + " in " + q.out());
        assertTrue(q.out().contains("#0 feature: "), q.out());
    }
}
