package dev.loupe.render.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Loading photos into plain 8-bit RGB, the form PIL's {@code convert("RGB")} gives. */
public final class Images {
    private Images() {
    }

    /**
     * Reads a JPEG, PNG, BMP (or any format ImageIO knows) as an RGB image.
     *
     * @throws ImageReadException naming the file when it is missing, unreadable or not an image
     */
    public static BufferedImage load(Path file) throws ImageReadException {
        if (!Files.exists(file)) {
            throw new ImageReadException("image file not found: " + file.toAbsolutePath());
        }
        if (Files.isDirectory(file)) {
            throw new ImageReadException(file + " is a folder, not an image file");
        }
        BufferedImage img;
        String warning = null;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                img = null;
            } else {
                ImageReader reader = readers.next();
                // ImageIO decodes a truncated JPEG without failing and only warns; we refuse it.
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, message) -> warnings.add(message));
                try {
                    reader.setInput(in, true, true);
                    img = reader.read(0);
                } finally {
                    reader.dispose();
                }
                warning = warnings.isEmpty() ? null : warnings.get(0);
            }
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data in many ways, some unchecked.
            throw new ImageReadException("cannot decode image " + file + ": the file is corrupt or truncated ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
        }
        if (warning != null) {
            throw new ImageReadException("cannot use image " + file + ": the file is corrupt or truncated (" + warning + ")");
        }
        if (img == null) {
            throw new ImageReadException("cannot read image " + file
                    + ": not a JPEG, PNG, BMP or GIF file (or a variant ImageIO cannot decode, such as CMYK JPEG)");
        }
        if (img.getWidth() <= 0 || img.getHeight() <= 0) {
            throw new ImageReadException("image " + file + " has no pixels");
        }
        return toRgb(img);
    }

    /** An 8-bit RGB copy; grey images keep their stored levels (no linear-gray gamma conversion). */
    public static BufferedImage toRgb(BufferedImage src) {
        int w = src.getWidth();
        int h = src.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        boolean gray = src.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        if (gray) {
            // getRGB would push CS_GRAY through a linear-to-sRGB curve and brighten the picture.
            Raster r = src.getRaster();
            int bits = src.getColorModel().getComponentSize(0);
            int max = (1 << bits) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = Math.round(r.getSample(x, y, 0) * 255f / max);
                    out.setRGB(x, y, (v << 16) | (v << 8) | v);
                }
            }
            return out;
        }
        if (src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            src.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                row[x] &= 0xffffff;
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }
}
