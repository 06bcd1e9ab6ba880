package dev.loupe.render.data;

import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.data.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Opens any {@code --data} argument: an image folder (decoded by {@code loader}), or what
 * {@link Datasets#open} reads ({@code fashion-mnist:train|test}, IDX, {@code .npy}).
 */
public final class DataSources {
    private DataSources() {
    }

    public static Dataset open(String spec, ImageFolderDataset.Loader loader, Consumer<String> warnings) throws IOException {
        if (!spec.contains(":") || spec.length() > 1 && spec.charAt(1) == ':') {
            Path p = Path.of(spec);
            if (Files.isDirectory(p)) {
                return ImageFolderDataset.open(p, loader);
            }
        }
        return Datasets.open(spec, warnings);
    }
}
