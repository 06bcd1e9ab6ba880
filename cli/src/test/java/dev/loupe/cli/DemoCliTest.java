package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe demo}, {@code loupe models} and bundled models by name. */
class DemoCliTest {
    @TempDir
    Path dir;

    @Test
    void modelsListsTheThreeBundledModelsWithProvenance() {
        Run r = Run.of("models");
        assertEquals(0, r.code(), r.toString());
        for (String name : new String[] {"squeezenet1.1", "fashion-cnn", "fashion-cnn-biased"}) {
            assertTrue(r.out().contains(name + " "), r.toString());
        }
        assertTrue(r.out().contains("trained by Loupe"), r.toString());
        assertTrue(!r.out().contains("not found"), r.toString());
    }

    @Test
    void predictTakesABundledFashionModelByName() throws Exception {
        Dataset d = Datasets.open("fashion-mnist:test", w -> { });
        int trouser = -1;
        for (int i = 0; i < d.size() && trouser < 0; i++) {
            if (d.item(i).label() == 1) {
                trouser = i;
            }
        }
        Tensor x = d.item(trouser).image();
        Path npy = dir.resolve("trouser.npy");
        Npy.write(npy, x.reshape(1, 1, 28, 28));
        Run r = Run.of("predict", "--model", "fashion-cnn", "--tensor", npy.toString(), "--top", "1");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Trouser"), r.toString());
        // A photo is made gray 28x28 for the gray model; the labels come from fashion-cnn.labels.txt.
        Run photo = Run.of("predict", "--model", "fashion-cnn", "--image", Run.repoRoot().resolve("examples/images/husky.jpg").toString());
        assertEquals(0, photo.code(), photo.toString());
        assertTrue(photo.out().matches("(?s).*(T-shirt|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot).*"), photo.toString());
    }

    @Test
    void anUnknownBundledNameIsAMissingFile() {
        Run r = Run.of("predict", "--model", "no-such-model", "--image", Run.repoRoot().resolve("examples/images/husky.jpg").toString());
        assertEquals(Main.FAILURE, r.code(), r.toString());
    }

    @Test
    void quickDemoWritesAllNineSections() throws Exception {
        Path out = dir.resolve("demo");
        Run r = Run.of("demo", "--quick", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("wrote report"), r.toString());
        Path index = out.resolve("index.html");
        String html = Files.readString(index);
        for (int s = 1; s <= 9; s++) {
            assertTrue(html.contains("<section id=\"s" + s + "\">"), "section " + s);
        }
        try (var files = Files.list(out)) {
            assertTrue(files.filter(f -> f.toString().endsWith(".png")).count() >= 10);
        }
    }
}
