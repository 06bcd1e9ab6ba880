package dev.loupe.cli;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Models;
import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.embedding.Embedding;
import dev.loupe.explain.embedding.Embeddings;
import dev.loupe.explain.embedding.ExactIndex;
import dev.loupe.explain.embedding.NeighborIndex;
import dev.loupe.explain.indirect.MaxActivatingPatches;
import dev.loupe.explain.indirect.TileGrid;
import dev.loupe.render.IndirectPictures;
import dev.loupe.render.Png;
import dev.loupe.render.image.Images;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** L2 nearest neighbours of query images in pixel and feature space. */
@Command(name = "neighbors", aliases = "neighbours", mixinStandardHelpOptions = true,
        description = "For each query image, its nearest images of --data in pixel space and in the model's feature space (L2).")
final class NeighborsCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    DataOptions data;

    @Option(names = "--query", paramLabel = "Q", required = true, arity = "1..*",
            description = "Query images: photo files, or indices into --query-data (default: into --data, the query itself excluded).")
    List<String> queries;

    @Option(names = "--query-data", paramLabel = "D", description = "The dataset the numeric --query values index (for example fashion-mnist:test).")
    String queryData;

    @Option(names = "--k", paramLabel = "K", defaultValue = "5", description = "Neighbours per query (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--space", paramLabel = "pixel|feature|both", defaultValue = "both", description = "Default ${DEFAULT-VALUE}.")
    String space;

    @Option(names = "--layer", paramLabel = "TENSOR", description = "Feature layer (default: the input of the final classifier).")
    String layer;

    @Option(names = "--out", paramLabel = "FILE.png", required = true, description = "Each query, then its neighbours, one row per space.")
    Path out;

    @Spec
    CommandSpec spec;

    private record Query(String name, Tensor input, Tensor display, int selfIndex) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String sp = space.toLowerCase(Locale.ROOT);
        if (!List.of("pixel", "feature", "both").contains(sp)) {
            throw new UsageException("--space is pixel, feature or both, not " + space);
        }
        Graph g = Models.batchable(model.load().graph());
        if (layer != null) {
            ActivationsCommand.requireTensor(g, layer);
        }
        Dataset d = data.open(g, err);
        UnaryOperator<Tensor> tf = data.transform(g);
        Dataset qd = queryData == null || queryData.equals(data.data) ? d : dev.loupe.render.data.DataSources.open(queryData, null, DataOptions.warnings(err));
        List<Query> qs = new ArrayList<>();
        for (String q : queries) {
            if (q.matches("\\d+")) {
                int i = Integer.parseInt(q);
                if (i >= qd.size()) {
                    throw new UsageException("--query " + i + " is out of range: " + qd.name() + " has " + qd.size() + " images");
                }
                Tensor raw = qd.item(i).image();
                qs.add(new Query(qd.name() + "#" + i, tf.apply(raw), MaxActivatingPatches.unit(raw), qd == d ? i : -1));
            } else {
                Tensor t = data.preprocess(g).apply(Images.load(Path.of(q))).tensor();
                Tensor x = tf.apply(t.reshape(t.dim(1), t.dim(2), t.dim(3)));
                qs.add(new Query(q, x, MaxActivatingPatches.unit(x), -1));
            }
        }
        List<TileGrid.Row> rows = new ArrayList<>();
        Embedding pixels = sp.equals("feature") ? null : Embeddings.pixels(d, tf, data.limit, DataOptions.warnings(err));
        Embedding features = null;
        if (!sp.equals("pixel")) {
            ProgressBar bar = new ProgressBar(err, "features");
            try {
                features = Embeddings.compute(g, d, tf, layer, Embeddings.Pool.AVERAGE, data.batch, data.limit, bar, null, DataOptions.warnings(err));
            } finally {
                bar.close();
            }
        }
        for (Query q : qs) {
            if (pixels != null) {
                rows.add(row(q, "pixel", new ExactIndex(pixels), q.input().data(), pixels, d, o));
            }
            if (features != null) {
                Trace t = Models.forward(g, q.input().reshape(1, q.input().dim(0), q.input().dim(1), q.input().dim(2)));
                float[] v = Embeddings.vectors(t.get(features.layer()), Embeddings.Pool.AVERAGE).data();
                rows.add(row(q, "feature", new ExactIndex(features), v, features, d, o));
            }
        }
        Png.write(out, IndirectPictures.grid(new TileGrid(rows), 0, 64, "L2 nearest neighbours in " + d.name(), true));
        Session.note(o, "neighbours", out);
        return 0;
    }

    private TileGrid.Row row(Query q, String what, NeighborIndex index, float[] v, Embedding e, Dataset d, PrintWriter o) throws Exception {
        List<NeighborIndex.Neighbor> found = index.search(v, k + 1);
        List<TileGrid.Tile> tiles = new ArrayList<>();
        tiles.add(new TileGrid.Tile(q.display(), "query"));
        List<String> names = new ArrayList<>();
        int shown = 0;
        for (NeighborIndex.Neighbor nb : found) {
            int item = e.indices()[nb.index()];
            if (item == q.selfIndex() || shown == k) {
                continue;
            }
            shown++;
            Dataset.Item it = d.item(item);
            String cls = it.label() >= 0 && it.label() < d.classNames().size() ? d.classNames().get(it.label())
                    : it.label() >= 0 ? "class " + it.label() : String.format(Locale.ROOT, "%.3g", nb.distance());
            tiles.add(new TileGrid.Tile(MaxActivatingPatches.unit(it.image()), cls));
            names.add(it.source() + String.format(Locale.ROOT, " (%.3g)", nb.distance()));
        }
        o.println(q.name() + " " + what + ": " + String.join(", ", names));
        return new TileGrid.Row(what, tiles);
    }
}
