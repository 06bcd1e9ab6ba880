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
        description = "Run the model on an input and save one named tensor (see 'loupe info') as .npy, and/or draw its channels as a grid.")
final class ActivationsCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    InputOptions input;

    @Option(names = "--layer", paramLabel = "TENSOR", required = true, description = "The tensor to save, named as in 'loupe info'.")
    String layer;

    @Option(names = "--npy", paramLabel = "FILE", description = "Where to write it (float32 .npy).")
    Path npy;

    @Option(names = "--out", paramLabel = "FILE.png", description = "Draw the channels of a 4-D tensor as a grid of feature maps.")
    Path out;

    @Option(names = "--top", paramLabel = "K", description = "Only the K channels with the largest maximum.")
    Integer top;

    @Option(names = "--scaling", paramLabel = "shared|per-channel", defaultValue = "per-channel",
            description = "One scale for all channels, or each on its own (default ${DEFAULT-VALUE}).")
    String scaling;

    @Option(names = "--overlay", description = "Lay each map over the input image.")
    boolean overlay;

    @Option(names = "--columns", paramLabel = "N", defaultValue = "16", description = "Maps per row (default ${DEFAULT-VALUE}).")
    int columns;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path outFile = this.out;
        OnnxModel m = model.load();
        Graph g = m.graph();
        requireTensor(g, layer);
        InputOptions.Input in = input.load(g);
        Graph runnable = in.tensor().dim(0) > 1 ? Models.batchable(g) : g;
        Trace trace = Executor.forward(runnable, in.tensor());
        if (npy == null && outFile == null) {
            throw new UsageException("give --npy FILE to save the tensor, --out FILE.png to draw it, or both");
        }
        Tensor t = trace.get(layer);
        if (npy != null) {
            Npy.write(npy, t);
        }
        if (outFile != null) {
            drawGrid(t, in);
        }
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
        if (npy != null) {
            Session.note(out, "activations", npy);
        }
        if (this.out != null) {
            Session.note(out, "activation grid", this.out);
        }
        return 0;
    }

    private void drawGrid(Tensor t, InputOptions.Input in) throws java.io.IOException {
        if (t.rank() != 4) {
            throw new UsageException("--out draws 4-D feature maps [N, C, H, W]; '" + layer + "' has shape " + Tensor.shapeString(t.shape()));
        }
        dev.loupe.explain.indirect.ActivationGrid.Scaling sc = switch (scaling.toLowerCase(Locale.ROOT)) {
            case "shared" -> dev.loupe.explain.indirect.ActivationGrid.Scaling.SHARED;
            case "per-channel" -> dev.loupe.explain.indirect.ActivationGrid.Scaling.PER_CHANNEL;
            default -> throw new UsageException("--scaling is shared or per-channel, not " + scaling);
        };
        int[] channels = top == null ? null
                : dev.loupe.explain.indirect.ActivationGrid.topChannels(t, 0, top, dev.loupe.explain.indirect.ActivationGrid.Rank.MAX);
        dev.loupe.explain.indirect.TileGrid grid = dev.loupe.explain.indirect.ActivationGrid.grid(t, 0, channels, sc, columns);
        if (overlay) {
            java.awt.image.BufferedImage pic = in.picture(0);
            grid = dev.loupe.explain.indirect.ActivationGrid.overlay(grid, unitImage(pic), 0.7f);
        }
        dev.loupe.render.Png.write(this.out, dev.loupe.render.IndirectPictures.grid(grid, 0, 48,
                layer + " " + Tensor.shapeString(t.shape()) + (top != null ? ", top " + top + " channels" : ""), true));
    }

    /** A picture as a [3, H, W] tensor in [0, 1]. */
    static Tensor unitImage(java.awt.image.BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] d = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                d[y * w + x] = ((p >> 16) & 0xff) / 255f;
                d[h * w + y * w + x] = ((p >> 8) & 0xff) / 255f;
                d[2 * h * w + y * w + x] = (p & 0xff) / 255f;
            }
        }
        return new Tensor(new int[] {3, h, w}, d);
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
