package dev.loupe.cli;

import dev.loupe.onnx.ModelLoadException;
import dev.loupe.onnx.OnnxImporter;
import dev.loupe.onnx.OnnxModel;
import dev.loupe.render.BundledModels;
import dev.loupe.render.Labels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --model} and {@code --labels}, shared by every command. */
final class ModelOptions {
    /** The model shipped in the repository, used when --model is not given. */
    static final String BUNDLED = "models/" + BundledModels.SQUEEZENET.file();

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "The ONNX classifier: a path or a bundled name (squeezenet1.1, fashion-cnn, fashion-cnn-biased; "
                    + "see 'loupe models'). Default: squeezenet1.1.")
    String model;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names, one per line in output order (default: labels.txt, <model>.labels.txt "
                    + "or imagenet_labels.txt next to the model).")
    Path labels;

    /** The model file: --model, else the bundled one under LOUPE_HOME (set by the ./loupe launcher). */
    Path modelPath() {
        if (model != null) {
            try {
                return BundledModels.resolve(model);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
        }
        String home = System.getProperty("loupe.home", System.getenv("LOUPE_HOME"));
        if (home != null && Files.isRegularFile(Path.of(home, BUNDLED))) {
            return Path.of(home, BUNDLED);
        }
        if (Files.isRegularFile(Path.of(BUNDLED))) {
            return Path.of(BUNDLED);
        }
        throw new UsageException("no --model given and the bundled model " + BUNDLED + " was not found; pass --model MODEL.onnx");
    }

    OnnxModel load() throws ModelLoadException {
        return OnnxImporter.loadModel(modelPath());
    }

    /**
     * The class names for a model with {@code classes} outputs: the --labels file (a warning if the
     * count differs), else a file found next to the model with the right count, else indices only.
     */
    Labels labelsFor(int classes, PrintWriter err) throws IOException {
        if (labels != null) {
            Labels l = Labels.load(labels);
            if (l.size() != classes) {
                err.println("loupe: warning: " + labels + " names " + l.size() + " classes but the model has " + classes);
            }
            return l;
        }
        Path m = modelPath().toAbsolutePath();
        Path dir = m.getParent();
        if (dir == null) {
            return Labels.none();
        }
        String stem = m.getFileName().toString().replaceFirst("\\.onnx$", "");
        String own = BundledModels.ofFile(m).map(BundledModels.Model::labels).orElse(stem + ".labels.txt");
        for (String name : List.of(own, stem + ".labels.txt", "labels.txt", "imagenet_labels.txt")) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                Labels l = Labels.load(p);
                if (l.size() == classes) {
                    return l;
                }
            }
        }
        return Labels.none();
    }
}
