package dev.loupe.render.data;

import dev.loupe.engine.Tensor;
import dev.loupe.explain.data.Dataset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Images in the one-folder-per-class layout ({@code root/cat/1.jpg}, {@code root/dog/7.png}):
 * classes are the sub-folders in name order, labels their positions. Images directly in the root
 * (with no class folders) form an unlabelled set. Files are listed once and decoded on demand by
 * the loader, so a corrupt file fails only its own item.
 */
public final class ImageFolderDataset implements Dataset {
    /** File extensions read as images. */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    /** Decodes one file to a {@code [C, H, W]} tensor (for example with the model's preprocessing). */
    @FunctionalInterface
    public interface Loader {
        Tensor load(Path file) throws IOException;
    }

    private final Path root;
    private final List<Path> files;
    private final int[] labels;
    private final List<String> classes;
    private final Loader loader;

    private ImageFolderDataset(Path root, List<Path> files, int[] labels, List<String> classes, Loader loader) {
        this.root = root;
        this.files = files;
        this.labels = labels;
        this.classes = classes;
        this.loader = loader;
    }

    /** Lists {@code root} ({@link #rgb} decoding when {@code loader} is null). */
    public static ImageFolderDataset open(Path root, Loader loader) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + " is not a directory");
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        if (dirs.isEmpty()) {
            files.addAll(images(root));
        } else {
            for (Path d : dirs) {
                List<Path> in = images(d);
                if (in.isEmpty()) {
                    continue;
                }
                for (Path f : in) {
                    files.add(f);
                    labels.add(classes.size());
                }
                classes.add(d.getFileName().toString());
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no images (" + String.join(", ", EXTENSIONS) + ") in " + root + " or its class folders");
        }
        int[] lab = classes.isEmpty() ? null : labels.stream().mapToInt(Integer::intValue).toArray();
        return new ImageFolderDataset(root, List.copyOf(files), lab, List.copyOf(classes), loader == null ? ImageFolderDataset::rgb : loader);
    }

    private static List<Path> images(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                int dot = n.lastIndexOf('.');
                return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1));
            }).sorted().toList();
        }
    }

    /** Plain decoding: RGB in [0, 1], {@code [3, H, W]}, no resizing. */
    public static Tensor rgb(Path file) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot decode image (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new IOException(file + ": not a readable image");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        float[] v = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                v[y * w + x] = ((p >> 16) & 0xff) / 255f;
                v[h * w + y * w + x] = ((p >> 8) & 0xff) / 255f;
                v[2 * h * w + y * w + x] = (p & 0xff) / 255f;
            }
        }
        return new Tensor(new int[] {3, h, w}, v);
    }

    @Override
    public String name() {
        return root.toString();
    }

    @Override
    public int size() {
        return files.size();
    }

    /** The file of item i. */
    public Path file(int i) {
        return files.get(i);
    }

    @Override
    public Item item(int index) throws IOException {
        Path f = files.get(index);
        return new Item(index, loader.load(f), labels == null ? NO_LABEL : labels[index], f.toString());
    }

    @Override
    public boolean hasLabels() {
        return labels != null;
    }

    @Override
    public List<String> classNames() {
        return classes;
    }
}
