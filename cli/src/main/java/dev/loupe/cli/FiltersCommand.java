package dev.loupe.cli;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.indirect.Filters;
import dev.loupe.explain.indirect.TileGrid;
import dev.loupe.render.IndirectPictures;
import dev.loupe.render.Png;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Draws the weights of a convolution layer. */
@Command(name = "filters", mixinStandardHelpOptions = true,
        description = "Draw a Conv layer's filters: the first layer as RGB tiles, deeper layers as one row per filter of per-channel gray tiles.")
final class FiltersCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--layer", paramLabel = "CONV", description = "Conv node (or its output tensor); default: the first Conv.")
    String layer;

    @Option(names = "--out", paramLabel = "FILE.png", required = true, description = "The picture.")
    Path out;

    @Option(names = "--max-filters", paramLabel = "N", defaultValue = "64", description = "Draw at most N filters (default ${DEFAULT-VALUE}; 0 = all).")
    int maxFilters;

    @Option(names = "--filters", paramLabel = "I,J,...", split = ",", description = "Draw these filters (deeper layers).")
    int[] filters;

    @Option(names = "--max-channels", paramLabel = "N", defaultValue = "16", description = "Input channels per row for deeper layers (default ${DEFAULT-VALUE}).")
    int maxChannels;

    @Option(names = "--columns", paramLabel = "N", defaultValue = "8", description = "Tiles per row for a first layer (default ${DEFAULT-VALUE}).")
    int columns;

    @Option(names = "--scale", paramLabel = "S", defaultValue = "0", description = "Upscale tiles S times (default: to about 48 pixels).")
    int scale;

    @Option(names = "--no-labels", description = "No captions or row labels.")
    boolean noLabels;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Graph g = model.load().graph();
        Node conv;
        try {
            conv = Filters.conv(g, layer);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        Tensor w = Filters.weights(g, conv);
        TileGrid grid;
        if (filters == null && (w.dim(1) == 1 || w.dim(1) == 3)) {
            grid = TileGrid.wrap(Filters.colorTiles(w, maxFilters, false), columns);
        } else {
            try {
                grid = Filters.channelRows(w, filters, maxFilters, null, maxChannels, Filters.Scaling.PER_TILE);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            }
        }
        if (noLabels) {
            grid = new TileGrid(grid.rows().stream().map(r -> new TileGrid.Row(null, r.tiles())).toList());
        }
        String heading = noLabels ? null : conv.name() + " " + Tensor.shapeString(w.shape());
        Png.write(out, IndirectPictures.grid(grid, scale, 48, heading, !noLabels));
        o.println(conv.name() + ": " + w.dim(0) + " filters of " + w.dim(1) + "x" + w.dim(2) + "x" + w.dim(3) + ", drew " + grid.count() + " tiles");
        Session.note(o, "filters", out);
        return 0;
    }
}
