package dev.loupe.cli;

import dev.loupe.train.FashionTraining;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Measures a classifier's accuracy on a labelled data set. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Print a model's accuracy on a labelled data set, as a line 'accuracy: 0.xxxx'.")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "The ONNX classifier: a path, or the name of a bundled model such as fashion-cnn (models/NAME.onnx).")
    String model;

    @Option(names = "--data", required = true, paramLabel = "SET",
            description = {"fashion-mnist:test or fashion-mnist:train; add :mark=CLASS (or :mark-others=CLASS) to put the "
                    + "biased model's white square on that class (or on every other class)."})
    String data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try {
            FashionTraining.DataSpec.parse(data);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        double accuracy = FashionTraining.evaluate(resolve(model), data);
        out.printf(Locale.ROOT, "accuracy: %.4f%n", accuracy);
        return 0;
    }

    /** A path as given, else a bundled model by name (see 'loupe models'). */
    static Path resolve(String model) {
        try {
            return dev.loupe.render.BundledModels.resolve(model);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
