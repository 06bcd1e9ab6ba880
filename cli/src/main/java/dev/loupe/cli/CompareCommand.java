package dev.loupe.cli;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Attribution;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Models;
import dev.loupe.explain.Target;
import dev.loupe.explain.compare.ClassDiscrimination;
import dev.loupe.onnx.OnnxModel;
import dev.loupe.render.AttributionPictures;
import dev.loupe.render.Labels;
import dev.loupe.render.Pictures;
import dev.loupe.render.Png;
import dev.loupe.render.TopK;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The lecture's figure: the image next to several methods' maps, all from one forward pass. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "One panel: the image | Backprop | Deconv | Guided Backprop | ..., from one shared forward pass.")
final class CompareCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    InputOptions input;

    @Option(names = {"-t", "--target"}, paramLabel = "N|LABEL", description = "Class to explain (default: the predicted class).")
    String target;

    @Option(names = "--contrast", paramLabel = "N|LABEL", description = "Explain target minus this class's logit.")
    String contrast;

    @Option(names = "--vs", paramLabel = "N|LABEL",
            description = "Class discrimination: explain --target and this class with every method, one row each, "
                    + "and print how alike each method's two maps are (Spearman rank correlation).")
    String vs;

    @Option(names = "--methods", paramLabel = "M1,M2,...", split = ",",
            defaultValue = "saliency,deconvnet,guided-backprop",
            description = "Methods, in panel order (default ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = {"-o", "--out"}, paramLabel = "panel.png", required = true, description = "Where to write the panel.")
    Path out;

    @Mixin
    MethodOptions methodOptions;

    @Mixin
    RenderOptions render;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter text = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Set<String> chosen = new LinkedHashSet<>();
        for (String m : methods) {
            chosen.add(MethodOptions.method(m));
        }
        Map<String, Object> given = methodOptions.given();
        for (String k : given.keySet()) {
            if (chosen.stream().noneMatch(m -> Explainers.optionNames(m).contains(k))) {
                throw new UsageException("--" + k + " applies to none of the methods " + String.join(", ", chosen));
            }
        }
        for (String m : chosen) {
            render.styleFor(m);
        }
        OnnxModel model0 = model.load();
        Graph g = model0.graph();
        if (methodOptions.layer != null) {
            ActivationsCommand.requireTensor(g, methodOptions.layer);
        }
        InputOptions.Input in = input.load(g);
        if (in.tensor().dim(0) != 1) {
            throw new UsageException("compare draws one image; the tensor holds a batch of " + in.tensor().dim(0));
        }
        // One forward pass serves every method.
        Trace trace = Explainers.forward(g, in.tensor());
        Tensor logits = Models.logits(trace);
        Labels labels = model.labelsFor(Session.classes(logits), err);
        Target t = Session.target(target, contrast, labels, Session.classes(logits));
        BufferedImage view = in.picture(0);
        if (vs != null) {
            return discriminate(text, err, trace, labels, chosen, given, in, view, logits);
        }
        List<Pictures.Tile> tiles = new ArrayList<>();
        TopK.Entry best = TopK.of(logits, 0, 1).get(0);
        tiles.add(new Pictures.Tile(view, "Image", String.format(Locale.ROOT, "predicted %s  p\u00a0%.3f",
                labels.describe(best.index()), best.probability())));
        String explained = null;
        for (String m : chosen) {
            ProgressBar bar = new ProgressBar(err, m);
            Attribution a;
            try {
                a = Explainers.explain(trace, m, t, MethodOptions.forMethod(m, given, in.preprocess(), false), bar);
            } finally {
                bar.close();
            }
            var style = render.styleFor(m);
            BufferedImage map = AttributionPictures.map(a, 0, style, view.getWidth(), view.getHeight());
            String title = AttributionPictures.displayName(m) + (a.layer() != null ? " @ " + a.layer() : "");
            tiles.add(new Pictures.Tile(map, title, AttributionPictures.caption(a, 0, labels)));
            explained = AttributionPictures.caption(a, 0, labels);
            text.println(String.format(Locale.ROOT, "  %-22s %d backward passes, %.2f s", title, a.backwardPasses(),
                    a.elapsed().toNanos() / 1e9));
        }
        String heading = in.name() + "  |  " + InputOptions.fileName(model.modelPath()) + "  |  explaining " + explained.replace('\u00a0', ' ');
        Png.write(out, Pictures.panel(tiles, tiles.size(), heading));
        Session.note(text, "panel", out);
        return 0;
    }

    /** Two rows, one per class, and a similarity score per method. */
    private Integer discriminate(PrintWriter text, PrintWriter err, Trace trace, Labels labels, Set<String> chosen,
            Map<String, Object> given, InputOptions.Input in, BufferedImage view, Tensor logits) throws Exception {
        if (target == null) {
            throw new UsageException("--vs needs --target: name the two classes to compare");
        }
        if (contrast != null) {
            throw new UsageException("--vs and --contrast do not go together: --vs explains each class on its own");
        }
        int classes = Session.classes(logits);
        int a = Session.classIndex(target, labels, classes, "--target");
        int b = Session.classIndex(vs, labels, classes, "--vs");
        Map<String, Map<String, Object>> options = new java.util.LinkedHashMap<>();
        for (String m : chosen) {
            options.put(m, MethodOptions.forMethod(m, given, in.preprocess(), false));
        }
        ProgressBar bar = new ProgressBar(err, "class discrimination");
        List<ClassDiscrimination.Row> rows;
        try {
            rows = ClassDiscrimination.run(trace, List.copyOf(chosen), a, b, options, bar);
        } finally {
            bar.close();
        }
        List<Pictures.Tile> tiles = new ArrayList<>();
        for (int which = 0; which < 2; which++) {
            int cls = which == 0 ? a : b;
            tiles.add(new Pictures.Tile(view, labels.describe(cls), which == 0 ? "first class" : "second class"));
            for (ClassDiscrimination.Row r : rows) {
                Attribution at = which == 0 ? r.first() : r.second();
                BufferedImage map = AttributionPictures.map(at, 0, render.styleFor(r.method()), view.getWidth(), view.getHeight());
                String title = AttributionPictures.displayName(r.method()) + String.format(Locale.ROOT, "  \u03c1 %.2f", r.spearman());
                tiles.add(new Pictures.Tile(map, title, AttributionPictures.caption(at, 0, labels)));
            }
        }
        text.println("class discrimination: " + labels.describe(a) + " vs " + labels.describe(b)
                + " (Spearman rank correlation of the two maps; near 1 = the method does not tell the classes apart)");
        for (ClassDiscrimination.Row r : rows) {
            text.println(String.format(Locale.ROOT, "  %-22s rho %.3f", AttributionPictures.displayName(r.method()), r.spearman()));
        }
        String heading = in.name() + "  |  " + labels.describe(a) + " vs " + labels.describe(b)
                + "  |  \u03c1 = how alike the two maps are";
        Png.write(out, Pictures.panel(tiles, rows.size() + 1, heading));
        Session.note(text, "panel", out);
        return 0;
    }
}
