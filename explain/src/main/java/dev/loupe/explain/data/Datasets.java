package dev.loupe.explain.data;

import dev.loupe.engine.io.FashionMnist;
import dev.loupe.engine.io.Idx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Opens the datasets that need no image decoding, by the text a user gives as {@code --data}:
 * <ul>
 *   <li>{@code fashion-mnist:train} or {@code fashion-mnist:test}, from
 *       {@link FashionMnist#dir()}; without it the test split is the bundled 1,000-image subset;</li>
 *   <li>an IDX image file (gzipped or not), labels read from the MNIST-named sibling;</li>
 *   <li>a {@code .npy} stack {@code [N, C, H, W]} or {@code [N, H, W]}.</li>
 * </ul>
 * Image folders (one sub-folder per class) need image decoding and are opened by the render
 * module's {@code dev.loupe.render.data.DataSources}, which handles these too.
 */
public final class Datasets {
    private Datasets() {
    }

    /**
     * @throws IOException              when a file cannot be read
     * @throws IllegalArgumentException when {@code spec} names nothing this method can open
     */
    public static Dataset open(String spec, Consumer<String> warnings) throws IOException {
        if (spec.startsWith("fashion-mnist:")) {
            return fashionMnist(FashionMnist.Split.parse(spec.substring("fashion-mnist:".length())), warnings);
        }
        Path p = Path.of(spec);
        if (Files.isDirectory(p)) {
            throw new IllegalArgumentException(spec + " is a directory: image folders are opened by the render module (DataSources)");
        }
        if (!Files.exists(p)) {
            throw new IllegalArgumentException("no dataset at '" + spec + "': give fashion-mnist:train|test, an IDX file, a .npy stack or an image folder");
        }
        String fn = p.getFileName().toString().toLowerCase();
        if (fn.endsWith(".npy")) {
            return NpyDataset.open(p);
        }
        if (fn.contains("idx") || fn.endsWith(".gz") || fn.contains("ubyte")) {
            return IdxDataset.open(p, null, warnings);
        }
        throw new IllegalArgumentException("cannot tell the format of '" + spec + "': expected a .npy stack or an IDX file (name containing idx or ubyte)");
    }

    /**
     * A Fashion-MNIST split as installed ({@link FashionMnist#dir()}; a truncated file is reported
     * and its complete images used) or, for the test split only, the bundled subset.
     *
     * @throws FashionMnist.DataMissingException when the training split is not installed
     */
    public static Dataset fashionMnist(FashionMnist.Split split, Consumer<String> warnings) throws IOException {
        Path dir = FashionMnist.dir();
        FashionMnist.Raw raw;
        String name;
        if (FashionMnist.isInstalled(dir, split)) {
            raw = FashionMnist.load(dir, split, warnings == null ? w -> { } : warnings);
            name = "fashion-mnist:" + split.id() + " (" + dir + ")";
        } else if (split == FashionMnist.Split.TEST) {
            raw = FashionMnist.bundledTest();
            name = "fashion-mnist:test (bundled " + FashionMnist.BUNDLED_SIZE + "-image subset)";
        } else {
            throw new FashionMnist.DataMissingException(FashionMnist.missingMessage(dir, split) + "; only a "
                    + FashionMnist.BUNDLED_SIZE + "-image test subset is bundled (fashion-mnist:test)");
        }
        byte[] labels = new byte[raw.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) raw.labels()[i];
        }
        int size = FashionMnist.SIZE;
        return new IdxDataset(name, new Idx.Array(new int[] {raw.count(), size, size}, raw.pixels(), name),
                new Idx.Array(new int[] {raw.count()}, labels, name), FashionMnist.CLASSES, warnings);
    }
}
