package dev.loupe.render.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Tensor;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreprocessTest {
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
    void halvingAGradientAveragesNeighbours() {
        int[] ramp = new int[256];
        for (int i = 0; i < 256; i++) {
            ramp[i] = i;
        }
        int[] half = Resample.resizePlane(ramp, 256, 1, 128, 1);
        assertEquals(128, half.length);
        for (int i = 1; i < 127; i++) {
            // The triangle filter over 4 pixels centred at 2i+1 gives 2i+0.5, rounded half up.
            assertEquals(2 * i + 1, half[i], "pixel " + i);
        }
        assertEquals(1, half[0]);
    }

    @Test
    void shrinkingAFineCheckerboardGivesGreyNotAliasing() {
        int n = 64;
        int[] board = new int[n * n];
        for (int i = 0; i < board.length; i++) {
            board[i] = ((i % n + i / n) % 2) * 255;
        }
        int[] small = Resample.resizePlane(board, n, n, 16, 16);
        for (int v : small) {
            assertTrue(Math.abs(v - 128) <= 12, "value " + v);
        }
        // Upscaling keeps a constant image constant.
        int[] up = Resample.resizePlane(new int[] {7, 7, 7, 7}, 2, 2, 5, 3);
        for (int v : up) {
            assertEquals(7, v);
        }
    }

    @Test
    void imagenetGeometryFollowsTorchvision() {
        Preprocessed p = Preprocess.imagenet().apply(solid(400, 300, 0x336699));
        Geometry g = p.geometry();
        // Resize(256): the shorter side becomes 256, the longer int(256 * 400 / 300) = 341.
        assertEquals(341, g.resizedWidth());
        assertEquals(256, g.resizedHeight());
        // CenterCrop(224): left = round(117 / 2) = 58 (half to even), top = 16.
        assertEquals(58, g.cropX());
        assertEquals(16, g.cropY());
        assertArrayEquals(new int[] {1, 3, 224, 224}, p.tensor().shape());
        assertEquals(224, p.view().getWidth());
        Rectangle2D.Double box = g.cropInOriginal();
        assertEquals(58 * 400.0 / 341, box.x, 1e-9);
        assertEquals(16 * 300.0 / 256, box.y, 1e-9);
        assertEquals(224 * 400.0 / 341, box.width, 1e-9);
        assertEquals(224 * 300.0 / 256, box.height, 1e-9);
    }

    @Test
    void normalisesPerChannelInTheChosenOrder() {
        BufferedImage red = solid(8, 8, 0xff0000);
        Tensor t = Preprocess.imagenet().apply(red).tensor();
        assertEquals((1f - 0.485f) / 0.229f, t.get(0, 0, 3, 3), 1e-5f);
        assertEquals((0f - 0.456f) / 0.224f, t.get(0, 1, 3, 3), 1e-5f);
        Tensor bgr = Preprocess.imagenet().withChannels(ChannelOrder.BGR).apply(red).tensor();
        assertEquals((1f - 0.485f) / 0.229f, bgr.get(0, 2, 3, 3), 1e-5f);
        assertEquals((0f - 0.406f) / 0.225f, bgr.get(0, 0, 3, 3), 1e-5f);
        Tensor plain = Preprocess.none().apply(solid(5, 3, 0x0080ff)).tensor();
        assertArrayEquals(new int[] {1, 3, 3, 5}, plain.shape());
        assertEquals(128 / 255f, plain.get(0, 1, 2, 4), 1e-6f);
        Tensor custom = Preprocess.none().withSize(10).withMean(0.5f, 0.5f, 0.5f).withStd(0.5f, 0.5f, 0.5f)
                .apply(solid(30, 20, 0xffffff)).tensor();
        assertArrayEquals(new int[] {1, 3, 10, 10}, custom.shape());
        assertEquals(1f, custom.get(0, 0, 0, 0), 1e-6f);
        assertArrayEquals(new int[] {1, 3, 160, 160}, Preprocess.imagenet().withSize(160).apply(solid(300, 200, 0)).tensor().shape());
        assertThrows(IllegalArgumentException.class, () -> Preprocess.none().withStd(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Preprocess.preset("caffe"));
    }

    @Test
    void batchesStackImagesOfOneSize() {
        Tensor a = Preprocess.none().apply(solid(4, 4, 0x010203)).tensor();
        Tensor b = Preprocess.none().apply(solid(4, 4, 0x040506)).tensor();
        Tensor both = Preprocess.batch(List.of(a, b));
        assertArrayEquals(new int[] {2, 3, 4, 4}, both.shape());
        assertEquals(4 / 255f, both.get(1, 0, 0, 0), 1e-6f);
        Tensor c = Preprocess.none().apply(solid(5, 4, 0)).tensor();
        assertThrows(IllegalArgumentException.class, () -> Preprocess.batch(List.of(a, c)));
    }

    @Test
    void corruptOrMissingImagesNameTheFile() throws IOException {
        Path junk = dir.resolve("junk.jpg");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        ImageReadException e = assertThrows(ImageReadException.class, () -> Images.load(junk));
        assertTrue(e.getMessage().contains("junk.jpg"), e.getMessage());

        BufferedImage img = solid(64, 64, 0x123456);
        Path good = dir.resolve("good.jpg");
        ImageIO.write(img, "jpg", good.toFile());
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.jpg");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        e = assertThrows(ImageReadException.class, () -> Images.load(cut));
        assertTrue(e.getMessage().contains("cut.jpg") && e.getMessage().contains("truncated"), e.getMessage());

        e = assertThrows(ImageReadException.class, () -> Images.load(dir.resolve("nope.png")));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("nope.png"), e.getMessage());
        assertEquals(64, Images.load(good).getWidth());
    }

    @Test
    void greyPngsKeepTheirLevels() throws IOException {
        BufferedImage g = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(1, 1, 0, 100);
        Path p = dir.resolve("g.png");
        ImageIO.write(g, "png", p.toFile());
        assertEquals(0x646464, Images.load(p).getRGB(1, 1) & 0xffffff);
    }
}
