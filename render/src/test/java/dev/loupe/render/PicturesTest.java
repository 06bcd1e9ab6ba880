package dev.loupe.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.render.image.Geometry;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PicturesTest {
    @TempDir
    Path dir;

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    @Test
    void pngRoundTripKeepsEveryPixel() throws IOException {
        BufferedImage img = new BufferedImage(17, 9, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 17 * 9; i++) {
            img.setRGB(i % 17, i / 17, (i * 2654435761L > 0 ? (int) (i * 2654435761L) : i * 7919) & 0xffffff);
        }
        Path p = dir.resolve("sub/round.png");
        Png.write(p, img);
        BufferedImage back = ImageIO.read(p.toFile());
        assertEquals(17, back.getWidth());
        assertArrayEquals(img.getRGB(0, 0, 17, 9, null, 0, 17), back.getRGB(0, 0, 17, 9, null, 0, 17));
        try (Stream<Path> files = Files.list(p.getParent())) {
            assertEquals(List.of(p), files.toList(), "no temporary files left behind");
        }
    }

    @Test
    void failedWriteLeavesNoFile() throws IOException {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        assertThrows(IOException.class, () -> Png.write(blocker.resolve("out.png"), solid(2, 2, 0)));
        assertFalse(Files.exists(blocker.resolve("out.png")));
    }

    @Test
    void labelsAddACaptionWithText() {
        BufferedImage pic = solid(224, 224, 0x808080);
        BufferedImage out = Pictures.labelled(pic, "Guided Backprop", "Siberian husky (250) 0.61");
        assertEquals(224, out.getWidth());
        assertTrue(out.getHeight() > 240);
        int header = out.getHeight() - 224;
        int dark = 0;
        for (int y = 0; y < header; y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                if ((out.getRGB(x, y) & 0xff) < 128) {
                    dark++;
                }
            }
        }
        assertTrue(dark > 50, "caption text was drawn");
        assertEquals(0x808080, out.getRGB(100, out.getHeight() - 5) & 0xffffff);
    }

    @Test
    void panelPlacesTilesInRows() {
        BufferedImage a = solid(50, 40, 0xff0000);
        List<Pictures.Tile> tiles = List.of(new Pictures.Tile(a, "a", null), new Pictures.Tile(a, "b", "x"),
                new Pictures.Tile(a, "c", null));
        BufferedImage one = Pictures.panel(tiles, 3, "heading");
        BufferedImage two = Pictures.panel(tiles, 2, null);
        assertTrue(one.getWidth() > two.getWidth());
        assertTrue(two.getHeight() > 80);
    }

    @Test
    void overlayBlendsOnlyInsideTheCropBox() {
        BufferedImage photo = solid(200, 100, 0x000000);
        Geometry g = new Geometry(200, 100, 100, 50, 25, 0, 50, 50); // centre square
        Heatmap map = new Heatmap(2, 2, new float[] {1, 1, 1, 1});
        BufferedImage out = Pictures.overlayOnOriginal(photo, g, map, Normalization.percentile(false, 99), ColorMap.GRAY, 0.5);
        assertEquals(0x000000, out.getRGB(10, 50) & 0xffffff);
        assertEquals(0x808080, out.getRGB(100, 50) & 0xffffff);
    }

    @Test
    void blendWeighsTheTop() {
        BufferedImage out = Pictures.blend(solid(2, 2, 0x000000), solid(2, 2, 0xffffff), 0.25);
        assertEquals(0x404040, out.getRGB(0, 0) & 0xffffff);
        assertThrows(IllegalArgumentException.class, () -> Pictures.blend(solid(2, 2, 0), solid(2, 2, 0), 1.5));
    }
}
