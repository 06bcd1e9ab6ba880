package dev.loupe.cli;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.Attribution;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Models;
import dev.loupe.explain.Target;
import dev.loupe.explain.cam.Upsample;
import dev.loupe.explain.perturbation.Lime;
import dev.loupe.onnx.OnnxModel;
import dev.loupe.render.AttributionPictures;
import dev.loupe.render.Labels;
import dev.loupe.render.Png;
import dev.loupe.render.Style;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Explains one prediction with one method and writes the map, an overlay and/or the raw attribution. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain a prediction: saliency, deconvnet, guided-backprop, occlusion, smoothgrad, "
                + "integrated-gradients, gradcam, gradcam++, counterfactual, cam, guided-gradcam, score-cam, rise, lime. "
                + "--contrast Q explains why the target rather than Q.")
final class ExplainCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    InputOptions input;

    @Option(names = "--method", paramLabel = "METHOD", required = true, description = "The explanation method.")
    String method;

    @Option(names = {"-t", "--target"}, paramLabel = "N|LABEL", description = "Class to explain, by index or name (default: the predicted class).")
    String target;

    @Option(names = "--contrast", paramLabel = "N|LABEL", description = "Explain target minus this class's logit.")
    String contrast;

    @Option(names = {"-o", "--out"}, paramLabel = "map.png", description = "Write the labelled map.")
    Path out;

    @Option(names = "--overlay", paramLabel = "overlay.png", description = "Write the map over the photo, labelled.")
    Path overlay;

    @Option(names = "--npy", paramLabel = "attribution.npy", description = "Write the raw attribution (float32; the input's shape, or 1×1×h×w at the layer for gradcam, gradcam++, counterfactual, cam and score-cam).")
    Path npy;

    @Mixin
    MethodOptions methodOptions;

    @Mixin
    RenderOptions render;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter outText = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String m = MethodOptions.method(method);
        Style style = render.styleFor(m);
        OnnxModel model0 = model.load();
        Graph g = model0.graph();
        if (methodOptions.layer != null) {
            ActivationsCommand.requireTensor(g, methodOptions.layer);
        }
        InputOptions.Input in = input.load(g);
        Map<String, Object> opts = MethodOptions.forMethod(m, methodOptions.given(), in.preprocess(), true);
        Trace trace = Explainers.forward(g, in.tensor());
        Tensor logits = Models.logits(trace);
        Labels labels = model.labelsFor(Session.classes(logits), err);
        Target t = Session.target(target, contrast, labels, Session.classes(logits));
        ProgressBar bar = new ProgressBar(err, m);
        // Layer-resolution CAMs run without upsampling so --npy keeps the layer's h×w; pictures
        // get the map upsampled with --upsample (bilinear by default).
        String pictureUpsample = "none";
        if (MethodOptions.LAYER_CAMS.contains(m)) {
            pictureUpsample = String.valueOf(opts.get("upsample"));
            opts.put("upsample", "none");
        }
        Attribution raw;
        try {
            raw = Explainers.explain(trace, m, t, opts, bar);
        } finally {
            bar.close();
        }
        Attribution a = upsampled(raw, pictureUpsample, in.tensor());
        Path stem = Path.of(InputOptions.stem(input.sourcePath()) + "-" + m + ".png");
        Path mapFile = out != null || overlay != null || npy != null ? out : stem;
        int n = a.classes().length;
        for (int b = 0; b < n; b++) {
            outText.println(String.format(Locale.ROOT, "%s%s: %s for %s", in.name(), n > 1 ? " [" + b + "]" : "",
                    AttributionPictures.displayName(m) + (a.layer() != null ? " @ " + a.layer() : ""),
                    AttributionPictures.caption(a, b, labels).replace('\u00a0', ' ')));
        }
        outText.println(String.format(Locale.ROOT, "  %d forward and %d backward passes, %.2f s%s", a.forwardPasses(),
                a.backwardPasses(), a.elapsed().toNanos() / 1e9, extras(a)));
        if (n > 1 && (mapFile != null || overlay != null)) {
            err.println("loupe: note: pictures show the first of " + n + " inputs; --npy keeps them all");
        }
        BufferedImage view = in.picture(0);
        if (mapFile != null) {
            BufferedImage map = AttributionPictures.map(a, 0, style, view.getWidth(), view.getHeight());
            Png.write(mapFile, AttributionPictures.labelled(map, a, 0, labels));
            Session.note(outText, "map", mapFile);
        }
        if (overlay != null) {
            BufferedImage over = in.photo() != null
                    ? AttributionPictures.overlayOnOriginal(in.photo().original(), in.photo().geometry(), a, 0, style)
                    : AttributionPictures.overlay(view, a, 0, style);
            Png.write(overlay, AttributionPictures.labelled(over, a, 0, labels));
            Session.note(outText, "overlay", overlay);
        }
        if (npy != null) {
            Npy.write(npy, raw.map());
            Session.note(outText, "attribution " + Tensor.shapeString(raw.map().shape()), npy);
        }
        return 0;
    }

    /** The attribution with its map resized to the input's H×W, or unchanged for {@code none}. */
    private static Attribution upsampled(Attribution a, String mode, Tensor input) {
        if (mode.equals("none")) {
            return a;
        }
        Tensor map = Upsample.resize(a.map(), input.dim(2), input.dim(3), Upsample.Mode.parse(mode));
        return new Attribution(map, a.method(), a.target(), a.classes(), a.scores(), a.probabilities(), a.layer(),
                a.elapsed(), a.forwardPasses(), a.backwardPasses(), a.info());
    }

    private static String extras(Attribution a) {
        Object top = a.info().get("topSuperpixels");
        if (top instanceof java.util.List<?> list) {
            StringBuilder sb = new StringBuilder("; " + a.info().get("segments") + " superpixels, top:");
            for (Object o : list.subList(0, Math.min(5, list.size()))) {
                Lime.Superpixel sp = (Lime.Superpixel) o;
                sb.append(String.format(Locale.ROOT, " #%d %.4g (%d px)", sp.id(), sp.weight(), sp.pixels()));
            }
            return sb.toString();
        }
        Object masks = a.info().get("masks");
        if (masks != null) {
            return "; " + masks + " masks, cell " + a.info().get("cell") + " px, p " + a.info().get("probability");
        }
        Object gap = a.info().get("completenessGap");
        if (gap != null) {
            return String.format(Locale.ROOT, "; completeness gap %.4g (sum of attributions minus score difference)",
                    ((Number) gap).doubleValue());
        }
        Object windows = a.info().get("windows");
        return windows != null ? "; " + windows + " windows" : "";
    }
}
