package dev.loupe.cli;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.indirect.DeconvReconstruction;
import dev.loupe.explain.indirect.MaxActivatingPatches;
import dev.loupe.explain.indirect.TileGrid;
import dev.loupe.render.IndirectPictures;
import dev.loupe.render.Png;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Maximally activating patches of a layer's channels over a dataset. */
@Command(name = "patches", mixinStandardHelpOptions = true,
        description = "Stream a dataset through the model and draw, per channel, the image patches (receptive fields) that activate it most.")
final class PatchesCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    DataOptions data;

    @Option(names = "--layer", paramLabel = "TENSOR", required = true, description = "A 4-D feature map, named as in 'loupe info'.")
    String layer;

    @Option(names = "--channels", paramLabel = "I,J,...", split = ",", description = "The channels to show.")
    int[] channels;

    @Option(names = "--top-channels", paramLabel = "K", description = "Show the K channels with the strongest activations (default 8 when --channels is not given).")
    Integer topChannels;

    @Option(names = "--k", paramLabel = "K", defaultValue = "9", description = "Patches per channel (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--deconv", description = "Show each patch's DeconvNet reconstruction beside it.")
    boolean deconv;

    @Option(names = "--out", paramLabel = "FILE.png", required = true, description = "The picture: one row per channel.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (channels != null && topChannels != null) {
            throw new UsageException("give --channels or --top-channels, not both");
        }
        if (k < 1) {
            throw new UsageException("--k must be at least 1");
        }
        Graph g = model.load().graph();
        ActivationsCommand.requireTensor(g, layer);
        Dataset d = data.open(g, err);
        UnaryOperator<Tensor> tf = data.transform(g);
        ProgressBar bar = new ProgressBar(err, "patches");
        MaxActivatingPatches.Result r;
        long t0 = System.nanoTime();
        try (Cancel cancel = new Cancel()) {
            try {
                r = MaxActivatingPatches.run(g, d, tf, new MaxActivatingPatches.Options(layer, k, data.batch, data.limit), bar, cancel,
                        DataOptions.warnings(err));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            } finally {
                bar.close();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            int[] show = channels != null ? channels : r.topChannels(topChannels != null ? topChannels : 8);
            for (int c : show) {
                if (c < 0 || c >= r.hits().size()) {
                    throw new UsageException("channel " + c + " is out of range: '" + layer + "' has " + r.hits().size() + " channels");
                }
            }
            TileGrid grid = deconv ? DeconvReconstruction.grid(g, r, d, tf, show) : MaxActivatingPatches.grid(r, d, tf, show);
            String heading = layer + ": top " + k + " of " + r.imagesSeen() + " images" + (r.complete() ? "" : " (interrupted)")
                    + ", receptive field " + r.field();
            Png.write(out, IndirectPictures.grid(grid, 0, 64, heading, true));
            o.println(String.format(Locale.ROOT, "%d images in %.1f s (%.1f images/s); receptive field %s%s", r.imagesSeen(), secs,
                    r.imagesSeen() / secs, r.field(), r.complete() ? "" : "; interrupted, results so far"));
            for (int c : show) {
                var hits = r.hits().get(c);
                o.println("channel " + c + ": " + String.join(" ", hits.stream().map(h -> String.format(Locale.ROOT, "%s@(%d,%d)=%.3g",
                        h.source(), h.y(), h.x(), h.value())).limit(3).toList()) + (hits.size() > 3 ? " ..." : ""));
            }
            Session.note(o, "patches", out);
        }
        return 0;
    }
}
