package dev.loupe.explain.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 28×28 grayscale images of 10 clothing classes,
 * 60,000 for training and 10,000 for testing. Read from the Debian package
 * {@code dataset-fashion-mnist} ({@code /usr/share/datasets/fashion-mnist}, or the directory in the
 * system property {@code loupe.fashionMnist.dir}); the test split falls back to the first 1,000
 * test images bundled with Loupe.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} installs the IDX files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The bundled subset: the first this many test images, in order, with their labels. */
    public static final int BUNDLED_SIZE = 1000;

    private static final String BUNDLED = "/datasets/fashion-mnist-test-1000/";

    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {
    }

    /** The directory searched for the installed data. */
    public static Path installedDir() {
        String p = System.getProperty("loupe.fashionMnist.dir");
        return p != null ? Path.of(p) : DEBIAN_DIR;
    }

    /** Whether the full split is installed. */
    public static boolean isInstalled(String split) {
        return imagesFile(split) != null;
    }

    /**
     * Opens {@code train} or {@code test}.
     *
     * @throws IOException when the split is neither installed nor bundled, with a hint to install it
     */
    public static Dataset open(String split, Consumer<String> warnings) throws IOException {
        String prefix = prefix(split);
        Path images = imagesFile(split);
        if (images != null) {
            Path labels = find(installedDir(), prefix + "-labels-idx1-ubyte");
            Idx.Array lab = labels == null ? null : Idx.read(labels);
            return new IdxDataset("fashion-mnist:" + split + " (" + images.getParent() + ")", Idx.read(images), lab, CLASS_NAMES, warnings);
        }
        if (split.equals("test")) {
            return bundled(warnings);
        }
        throw new IOException("Fashion-MNIST " + split + " is not installed in " + installedDir()
                + "; install it with `apt-get install dataset-fashion-mnist` (only a " + BUNDLED_SIZE
                + "-image test subset is bundled: fashion-mnist:test)");
    }

    /** The bundled first {@value #BUNDLED_SIZE} test images. */
    public static Dataset bundled(Consumer<String> warnings) throws IOException {
        try (InputStream im = resource("t10k-images-idx3-ubyte.gz"); InputStream lab = resource("t10k-labels-idx1-ubyte.gz")) {
            return new IdxDataset("fashion-mnist:test (bundled " + BUNDLED_SIZE + "-image subset)",
                    Idx.read(im, "bundled Fashion-MNIST test images"), Idx.read(lab, "bundled Fashion-MNIST test labels"),
                    CLASS_NAMES, warnings);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = FashionMnist.class.getResourceAsStream(BUNDLED + name);
        if (in == null) {
            throw new IOException("the bundled Fashion-MNIST subset is missing from the class path (" + BUNDLED + name + ")");
        }
        return in;
    }

    private static String prefix(String split) {
        return switch (split) {
            case "train" -> "train";
            case "test" -> "t10k";
            default -> throw new IllegalArgumentException("Fashion-MNIST has splits train and test, not '" + split + "'");
        };
    }

    private static Path imagesFile(String split) {
        return find(installedDir(), prefix(split) + "-images-idx3-ubyte");
    }

    private static Path find(Path dir, String base) {
        for (String ext : new String[] {".gz", ""}) {
            Path p = dir.resolve(base + ext);
            if (Files.isRegularFile(p) && Files.isReadable(p)) {
                return p;
            }
        }
        return null;
    }
}
