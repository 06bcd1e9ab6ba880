package dev.loupe.render;

import dev.loupe.engine.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** PNG output through a temporary file and a rename, so a failed run leaves no half-written file. */
public final class Png {
    private Png() {
    }

    public static void write(Path target, BufferedImage image) throws IOException {
        AtomicFiles.write(target, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available in this Java runtime");
            }
        });
    }
}
