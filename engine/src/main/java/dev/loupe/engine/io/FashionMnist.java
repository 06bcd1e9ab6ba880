package dev.loupe.engine.io;

import dev.loupe.engine.train.ImageSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28x28 grayscale photos of garments in 10
 * classes, 60,000 for training and 10,000 for testing, as IDX files ({@link Idx}). The one place
 * that knows where the data lives and how to load it; training ({@code loupe train},
 * {@code loupe evaluate}) and the dataset commands ({@code --data fashion-mnist:test}) both come
 * here.
 *
 * <p>Where: the folder named by the system property {@value #DIR_PROPERTY}, else the environment
 * variable {@value #DIR_ENV}, else {@value #DEBIAN_DIR}, where Debian's {@code dataset-fashion-mnist}
 * package installs it. Each split is a pair {@code PREFIX-images-idx3-ubyte} and
 * {@code PREFIX-labels-idx1-ubyte}, gzipped ({@code .gz}, preferred) or not, with the prefix
 * {@code train} or {@code t10k}. Without the data, the first {@value #BUNDLED_SIZE} test images
 * are on the class path ({@link #bundledTest()}); whether to fall back to them is the caller's
 * choice.
 *
 * <p>Images are handed out as bytes ({@link Raw}), or as an {@link ImageSet} of pixel/255 in [0, 1]:
 * the Loupe-trained models normalise inside the graph, so nothing else is needed to feed them.
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

    /** The bundled subset: the first this many test images, in order, with their labels. */
    public static final int BUNDLED_SIZE = 1000;
    private static final String BUNDLED = "/datasets/fashion-mnist-test-1000/";

    private static final String ALL_FILES = "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz"
            + " and t10k-labels-idx1-ubyte.gz";

    /** The training or the test split. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        /** {@code train} or {@code test}, as in {@code fashion-mnist:test}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The file name of the images without {@code .gz}, e.g. {@code t10k-images-idx3-ubyte}. */
        public String imagesFile() {
            return prefix + "-images-idx3-ubyte";
        }

        /** The file name of the labels without {@code .gz}, e.g. {@code t10k-labels-idx1-ubyte}. */
        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte";
        }

        /** {@code train} or {@code test}, in any case. */
        public static Split parse(String id) {
            for (Split s : values()) {
                if (s.id().equalsIgnoreCase(id)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("Fashion-MNIST has splits train and test, not '" + id + "'");
        }
    }

    /** Something painted into images in place, such as a spurious mark; see {@link Raw#withMark}. */
    @FunctionalInterface
    public interface Mark {
        /** Paints into the {@code side x side} byte image that starts at {@code offset}. */
        void paint(byte[] pixels, int offset, int side);
    }

    /** One split as bytes: {@code pixels} holds {@code count} images of 28x28, row by row. */
    public record Raw(byte[] pixels, int[] labels) {
        public Raw {
            if (pixels.length != labels.length * SIZE * SIZE) {
                throw new IllegalArgumentException(pixels.length + " pixels are not " + labels.length + " images of 28x28");
            }
        }

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
            return new Raw(Arrays.copyOf(pixels, k * SIZE * SIZE), Arrays.copyOf(labels, k));
        }

        /** A copy in which every image whose label {@code marked} accepts carries {@code mark}. */
        public Raw withMark(Mark mark, IntPredicate marked) {
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
     * The folder looked in: {@value #DIR_PROPERTY}, else {@value #DIR_ENV}, else {@value #DEBIAN_DIR}.
     * It need not exist.
     */
    public static Path dir() {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(DIR_ENV);
        }
        return Path.of(dir != null && !dir.isBlank() ? dir : DEBIAN_DIR);
    }

    /** Whether {@link #dir()} holds the split's images and labels. */
    public static boolean isInstalled(Split split) {
        return isInstalled(dir(), split);
    }

    /** Whether {@code dir} holds the split's images and labels (gzipped or not). */
    public static boolean isInstalled(Path dir, Split split) {
        return file(dir, split.imagesFile()) != null && file(dir, split.labelsFile()) != null;
    }

    /** Whether {@link #dir()} holds both splits, as training needs. */
    public static boolean isAvailable() {
        Path dir = dir();
        return isInstalled(dir, Split.TRAIN) && isInstalled(dir, Split.TEST);
    }

    /** What {@link DataMissingException} says: where the split was looked for and how to get it. */
    public static String missingMessage(Path dir, Split split) {
        return "Fashion-MNIST (" + split.id() + " split) was not found in " + dir + "; install it with "
                + "'apt-get install dataset-fashion-mnist' (Debian/Ubuntu) or point " + DIR_ENV + " at a folder with " + ALL_FILES;
    }

    /**
     * A whole split from {@link #dir()}.
     *
     * @throws DataMissingException saying how to get the data when it is not there
     * @throws IOException          when a file is unreadable, truncated or not Fashion-MNIST
     */
    public static Raw load(Split split) throws IOException {
        return load(dir(), split);
    }

    /** A whole split from {@code dir}; see {@link #load(Split)}. */
    public static Raw load(Path dir, Split split) throws IOException {
        return load(dir, split, null);
    }

    /**
     * A split from {@code dir}, forgiving truncation when {@code onTruncated} is given: a file that
     * ends early is reported there and the images that are complete, with their labels, are used.
     * With {@code null} a truncated file is an error, as training needs.
     *
     * @throws DataMissingException when {@code dir} does not hold the split
     */
    public static Raw load(Path dir, Split split, Consumer<String> onTruncated) throws IOException {
        Path imagesFile = file(dir, split.imagesFile());
        Path labelsFile = file(dir, split.labelsFile());
        if (imagesFile == null || labelsFile == null) {
            throw new DataMissingException(missingMessage(dir, split));
        }
        if (onTruncated == null) {
            return of(Idx.read(imagesFile), Idx.read(labelsFile), null);
        }
        return of(Idx.readPartial(imagesFile), Idx.readPartial(labelsFile), onTruncated);
    }

    /**
     * The first {@value #BUNDLED_SIZE} test images, bundled on the class path for when the data is
     * not installed (taken from Debian's package; they equal {@code load(TEST).head(1000)}).
     */
    public static Raw bundledTest() throws IOException {
        try (InputStream images = resource("t10k-images-idx3-ubyte.gz"); InputStream labels = resource("t10k-labels-idx1-ubyte.gz")) {
            return of(Idx.read(images, "bundled Fashion-MNIST test images"), Idx.read(labels, "bundled Fashion-MNIST test labels"), null);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = FashionMnist.class.getResourceAsStream(BUNDLED + name);
        if (in == null) {
            throw new IOException("the bundled Fashion-MNIST subset is missing from the class path (" + BUNDLED + name + ")");
        }
        return in;
    }

    /**
     * Checks that two IDX arrays are Fashion-MNIST images and labels and pairs them up.
     *
     * @param onTruncated null when both must be complete; else told what a truncated pair loses
     */
    static Raw of(Idx.Array images, Idx.Array labels, Consumer<String> onTruncated) throws IOException {
        int[] s = images.shape();
        if (s.length != 3 || s[1] != SIZE || s[2] != SIZE) {
            throw new IOException(images.source() + " does not hold 28x28 images: its shape is " + Arrays.toString(s));
        }
        if (labels.shape().length != 1) {
            throw new IOException(labels.source() + " does not hold labels: its shape is " + Arrays.toString(labels.shape())
                    + ", not [N]");
        }
        if (labels.count() != images.count()) {
            throw new IOException(labels.source() + " has " + labels.count() + " labels for " + images.count() + " images");
        }
        int n = images.count();
        if (onTruncated != null) {
            n = images.complete();
            if (n < images.count()) {
                onTruncated.accept(images.source() + " is truncated: " + n + " of " + images.count() + " images are complete; using those");
            }
            int nl = labels.complete();
            if (nl < n) {
                onTruncated.accept(labels.source() + " is truncated: it holds " + nl + " labels for " + n + " images; using the first " + nl
                        + " images");
                n = nl;
            }
        }
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = labels.data()[i] & 0xff;
            if (l[i] >= CLASSES.size()) {
                throw new IOException(labels.source() + ": label " + l[i] + " at " + i + " is not a Fashion-MNIST class (0..9)");
            }
        }
        byte[] pixels = images.data();
        if (pixels.length != n * SIZE * SIZE) {
            pixels = Arrays.copyOf(pixels, n * SIZE * SIZE);
        }
        return new Raw(pixels, l);
    }

    private static Path file(Path dir, String stem) {
        for (String name : new String[] {stem + ".gz", stem}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p) && Files.isReadable(p)) {
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
