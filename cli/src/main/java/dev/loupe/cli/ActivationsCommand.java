package dev.loupe.cli;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.Models;
import dev.loupe.onnx.OnnxModel;
import dev.loupe.render.Labels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Saves one intermediate tensor of a forward pass. */
@Command(name = "activations", mixinStandardHelpOptions = true,
        description = "Run the model on an input and save one named tensor (see 'loupe info') as .npy.")
final class ActivationsCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    InputOptions input;

    @Option(names = "--layer", paramLabel = "TENSOR", required = true, description = "The tensor to save, named as in 'loupe info'.")
    String layer;

    @Option(names = "--npy", paramLabel = "FILE", required = true, description = "Where to write it (float32 .npy).")
    Path npy;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        OnnxModel m = model.load();
        Graph g = m.graph();
        requireTensor(g, layer);
        InputOptions.Input in = input.load(g);
        Graph runnable = in.tensor().dim(0) > 1 ? Models.batchable(g) : g;
        Trace trace = Executor.forward(runnable, in.tensor());
        Tensor t = trace.get(layer);
        Npy.write(npy, t);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        int zeros = 0;
        for (float v : t.data()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            zeros += v == 0 ? 1 : 0;
        }
        out.println(layer + " " + Tensor.shapeString(t.shape()) + String.format(Locale.ROOT,
                "  min %.4g  max %.4g  mean %.4g  zeros %.1f%%", min, max, sum / t.size(), 100.0 * zeros / t.size()));
        Session.note(out, "activations", npy);
        return 0;
    }

    /** Fails with the closest tensor names when {@code name} is not a tensor of the graph. */
    static void requireTensor(Graph g, String name) {
        if (g.hasTensor(name)) {
            return;
        }
        List<String> names = g.activationNames();
        String q = name.toLowerCase(Locale.ROOT);
        record Near(String name, int d) {
        }
        List<Near> near = new ArrayList<>();
        for (String n : names) {
            String l = n.toLowerCase(Locale.ROOT);
            int d = l.contains(q) || q.contains(l) ? 0 : Labels.editDistance(q, l);
            if (d <= Math.max(3, q.length() / 2)) {
                near.add(new Near(n, d));
            }
        }
        near.sort(Comparator.comparingInt(Near::d));
        String list = String.join(", ", near.stream().limit(8).map(Near::name).toList());
        throw new UsageException("no tensor named '" + name + "' in the model"
                + (list.isEmpty() ? "" : "; similar names: " + list)
                + "; 'loupe info' lists all " + names.size() + " tensors");
    }
}
