package dev.loupe.cli;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.Models;
import dev.loupe.onnx.OnnxModel;
import dev.loupe.render.Labels;
import dev.loupe.render.TopK;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints the top classes of an image. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify an image: top-K classes with softmax probability and logit.")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    InputOptions input;

    @Option(names = {"-k", "--top"}, paramLabel = "K", defaultValue = "5", description = "How many classes to print (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--npy", paramLabel = "FILE", description = "Also write the logits as a float32 .npy.")
    Path npy;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (top < 1) {
            throw new UsageException("--top must be at least 1, got " + top);
        }
        PrintWriter out = spec.commandLine().getOut();
        OnnxModel m = model.load();
        Graph g = m.graph();
        InputOptions.Input in = input.load(g);
        Graph runnable = in.tensor().dim(0) > 1 ? Models.batchable(g) : g;
        Tensor logits = Models.logits(Executor.forward(runnable, in.tensor()));
        Labels labels = model.labelsFor(Session.classes(logits), spec.commandLine().getErr());
        int n = logits.dim(0);
        for (int b = 0; b < n; b++) {
            out.println(in.name() + (n > 1 ? " [" + b + "]" : "") + (in.photo() != null ? "  (" + in.preprocess().name() + ")" : ""));
            List<TopK.Entry> best = TopK.of(logits, b, top);
            int w = best.stream().mapToInt(e -> labels.name(e.index()).length()).max().orElse(10);
            for (TopK.Entry e : best) {
                out.println(String.format(Locale.ROOT, "  %2d. %-" + w + "s  %6.2f%%  logit %8.3f  class %d", e.rank(),
                        labels.name(e.index()), 100 * e.probability(), e.logit(), e.index()));
            }
        }
        if (npy != null) {
            Npy.write(npy, logits);
            Session.note(out, "logits " + Tensor.shapeString(logits.shape()), npy);
        }
        return 0;
    }

}
