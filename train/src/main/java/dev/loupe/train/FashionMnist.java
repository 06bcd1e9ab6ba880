package dev.loupe.train;

import dev.loupe.engine.train.ImageSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28x28 grayscale photos of garments in 10
 * classes, 60,000 for training and 10,000 for testing, as IDX files. Debian's
 * {@code dataset-fashion-mnist} package installs them under {@value #DEBIAN_DIR}.
 *
 * <p>Images are handed out as {@link ImageSet}s of pixel/255 values in [0, 1]: the Loupe-trained
 * models normalise inside the graph, so nothing else is needed to feed them.
 */
public final class FashionMnist {
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
    /** System property, then environment variable, naming another folder with the IDX files. */
    public static final String DIR_PROPERTY = "loupe.fashion.dir";
    public static final String DIR_ENV = "LOUPE_FASHION_MNIST";

    public static final int SIZE = 28;
    /** Mean and standard deviation of the training pixels (in [0, 1]), as commonly used. */
    public static final float MEAN = 0.2860f;
    public static final float STD = 0.3530f;

    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    /** The training or the test split. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    /** One split as bytes: {@code pixels} holds {@code count} images of 28x28, row by row. */
    public record Raw(byte[] pixels, int[] labels) {
        public int count() {
            return labels.length;
        }

        /** Image i's pixel (y, x), 0..255. */
        public int pixel(int i, int y, int x) {
            return pixels[i * SIZE * SIZE + y * SIZE + x] & 0xff;
        }

        /** Pixel/255 in [0, 1], ready for a Loupe-trained model. */
        public ImageSet toImageSet() {
            float[] px = new float[pixels.length];
            for (int i = 0; i < px.length; i++) {
                px[i] = (pixels[i] & 0xff) / 255f;
            }
            return new ImageSet(px, labels, 1, SIZE, SIZE, CLASSES.size());
        }

        /** The first {@code n} images. */
        public Raw head(int n) {
            int k = Math.min(n, count());
            byte[] p = new byte[k * SIZE * SIZE];
            System.arraycopy(pixels, 0, p, 0, p.length);
            int[] l = new int[k];
            System.arraycopy(labels, 0, l, 0, k);
            return new Raw(p, l);
        }

        /** A copy in which every image whose label {@code marked} accepts carries {@code mark}. */
        public Raw withMark(SpuriousMark mark, IntPredicate marked) {
            byte[] p = pixels.clone();
            for (int i = 0; i < count(); i++) {
                if (marked.test(labels[i])) {
                    mark.paint(p, i * SIZE * SIZE, SIZE);
                }
            }
            return new Raw(p, labels);
        }
    }

    private FashionMnist() {
    }

    /**
     * The folder with the IDX files: {@value #DIR_PROPERTY}, else {@value #DIR_ENV}, else
     * {@value #DEBIAN_DIR}.
     *
     * @throws IOException saying how to get the data when the folder does not hold it
     */
    public static Path locate() throws IOException {
        String dir = System.getProperty(DIR_PROPERTY, System.getenv(DIR_ENV));
        Path p = Path.of(dir != null && !dir.isBlank() ? dir : DEBIAN_DIR);
        if (!isPresent(p)) {
            throw new DataMissingException("Fashion-MNIST was not found in " + p + "; install it with "
                    + "'apt-get install dataset-fashion-mnist' (Debian/Ubuntu) or point " + DIR_ENV
                    + " at a folder with train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz"
                    + " and t10k-labels-idx1-ubyte.gz");
        }
        return p;
    }

    /** Whether {@code dir} holds both splits (gzipped or not). */
    public static boolean isPresent(Path dir) {
        for (Split s : Split.values()) {
            if (file(dir, s.prefix + "-images-idx3-ubyte") == null || file(dir, s.prefix + "-labels-idx1-ubyte") == null) {
                return false;
            }
        }
        return true;
    }

    /** Whether the data is where {@link #locate()} looks. */
    public static boolean isAvailable() {
        try {
            locate();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static Raw load(Split split) throws IOException {
        return load(locate(), split);
    }

    public static Raw load(Path dir, Split split) throws IOException {
        Path imagesFile = file(dir, split.prefix + "-images-idx3-ubyte");
        Path labelsFile = file(dir, split.prefix + "-labels-idx1-ubyte");
        if (imagesFile == null || labelsFile == null) {
            throw new DataMissingException("no Fashion-MNIST " + split.name().toLowerCase() + " files in " + dir);
        }
        Idx.Array images = Idx.read(imagesFile);
        Idx.Array labels = Idx.read(labelsFile);
        if (images.shape().length != 3 || images.shape()[1] != SIZE || images.shape()[2] != SIZE) {
            throw new IOException(imagesFile + " does not hold 28x28 images");
        }
        if (labels.shape().length != 1 || labels.count() != images.count()) {
            throw new IOException(labelsFile + " has " + labels.count() + " labels for " + images.count() + " images");
        }
        int[] l = new int[labels.count()];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels.data()[i] & 0xff;
            if (l[i] >= CLASSES.size()) {
                throw new IOException(labelsFile + ": label " + l[i] + " at " + i + " is not a Fashion-MNIST class");
            }
        }
        return new Raw(images.data(), l);
    }

    private static Path file(Path dir, String stem) {
        for (String name : new String[] {stem + ".gz", stem}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** The data is not installed; the message says how to get it. */
    public static final class DataMissingException extends IOException {
        public DataMissingException(String message) {
            super(message);
        }
    }
}
