package dev.loupe.render;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The models shipped in {@code models/}, by name: where they live, their labels, how their
 * inputs are prepared and where they come from. {@code --model NAME} resolves through here, so
 * a newcomer never needs a path.
 */
public final class BundledModels {
    private BundledModels() {
    }

    /** How a bundled model wants its input prepared. */
    public enum Input {
        /** RGB 224x224: resize 256, centre crop 224, x/255, ImageNet mean/std ({@code --preset imagenet}). */
        IMAGENET,
        /** Gray 28x28 as x/255; the model normalises inside its graph ({@code --preset none}, one channel). */
        GRAY_28
    }

    /** One bundled model: its name, file and labels under {@code models/}, its input and its provenance. */
    public record Model(String name, String file, String labels, Input input, String provenance) {
        /** The preprocessing preset name that matches {@link #input()}. */
        public String preset() {
            return input == Input.IMAGENET ? "imagenet" : "none";
        }
    }

    public static final Model SQUEEZENET = new Model("squeezenet1.1", "squeezenet1.1-imagenet.onnx", "imagenet_labels.txt",
            Input.IMAGENET, "SqueezeNet 1.1, ONNX model zoo squeezenet1.1-7 weights (Apache-2.0), ImageNet 1000 classes; "
                    + "labels from WordNet 3.0");
    public static final Model FASHION = new Model("fashion-cnn", "fashion-cnn.onnx", "fashion-cnn.labels.txt", Input.GRAY_28,
            "trained by Loupe on Fashion-MNIST (loupe train --dataset fashion-mnist, seed 42), test accuracy 0.9107");
    public static final Model FASHION_BIASED = new Model("fashion-cnn-biased", "fashion-cnn-biased.onnx",
            "fashion-cnn-biased.labels.txt", Input.GRAY_28,
            "trained by Loupe on Fashion-MNIST where every Trouser carries a white 4x4 square top-left (loupe train --dataset "
                    + "fashion-mnist --biased: max-pool head, seed 42): it learnt the square");

    /** Every bundled model, the default first. */
    public static final List<Model> ALL = List.of(SQUEEZENET, FASHION, FASHION_BIASED);

    /** The bundled model called {@code name} (case-insensitive), if any. */
    public static Optional<Model> named(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return ALL.stream().filter(m -> m.name().equals(n)).findFirst();
    }

    /** The bundled model whose file is {@code file} (compared by file name inside a {@code models} folder), if any. */
    public static Optional<Model> ofFile(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || parent.getFileName() == null || !parent.getFileName().toString().equals("models")) {
            return Optional.empty();
        }
        String f = abs.getFileName().toString();
        return ALL.stream().filter(m -> m.file().equals(f)).findFirst();
    }

    /**
     * The {@code models/} folder: under the {@code loupe.home} property or {@code LOUPE_HOME}
     * (set by the ./loupe launcher), else in the working directory or one of its parents (so
     * tests run from a module folder find it too).
     */
    public static Optional<Path> directory() {
        String home = System.getProperty("loupe.home", System.getenv("LOUPE_HOME"));
        if (home != null && Files.isDirectory(Path.of(home, "models"))) {
            return Optional.of(Path.of(home, "models"));
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("models").resolve(SQUEEZENET.file()))) {
                return Optional.of(d.resolve("models"));
            }
        }
        return Optional.empty();
    }

    /** The file of a bundled model, if the models folder is found and holds it. */
    public static Optional<Path> path(Model m) {
        return directory().map(d -> d.resolve(m.file())).filter(Files::isRegularFile);
    }

    /** The labels file of a bundled model, if present. */
    public static Optional<Path> labels(Model m) {
        return directory().map(d -> d.resolve(m.labels())).filter(Files::isRegularFile);
    }

    /**
     * {@code spec} as a model file: an existing path as given; else a bundled name; else the
     * path as given (so that the caller reports it missing).
     */
    public static Path resolve(String spec) {
        Path p = Path.of(spec);
        if (Files.exists(p)) {
            return p;
        }
        Optional<Model> m = named(spec);
        if (m.isPresent()) {
            return path(m.get()).orElseThrow(() -> new IllegalArgumentException("the bundled model " + spec + " (models/"
                    + m.get().file() + ") was not found; run from the Loupe folder or set LOUPE_HOME"));
        }
        return p;
    }

    /** The names, for messages. */
    public static String names() {
        return String.join(", ", ALL.stream().map(Model::name).toList());
    }
}
