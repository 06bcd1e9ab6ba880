package dev.loupe.render.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.explain.data.Batch;
import dev.loupe.explain.data.Batches;
import dev.loupe.explain.data.Dataset;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
    @TempDir
    Path root;

    private void png(Path file, int rgb) throws Exception {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void classFoldersGiveLabelsAndACorruptFileIsSkipped() throws Exception {
        png(root.resolve("cat/a.png"), 0xff0000);
        png(root.resolve("cat/b.png"), 0x00ff00);
        png(root.resolve("dog/c.png"), 0x0000ff);
        Files.writeString(root.resolve("dog/broken.png"), "not a png");
        Files.writeString(root.resolve("dog/notes.txt"), "ignored");
        Dataset d = DataSources.open(root.toString(), null, null);
        assertEquals(List.of("cat", "dog"), d.classNames());
        assertEquals(4, d.size());
        List<String> warnings = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        float blueOfLast = -1;
        for (Batch b : new Batches(d, 8, 0, null, warnings::add)) {
            for (int i = 0; i < b.size(); i++) {
                labels.add(b.labels()[i]);
            }
            blueOfLast = b.images().get(b.size() - 1, 2, 1, 1);
        }
        assertEquals(List.of(0, 0, 1), labels);
        assertEquals(1f, blueOfLast);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("broken.png"), warnings.get(0));
    }
}
