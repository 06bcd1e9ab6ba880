package dev.loupe.cli;

import dev.loupe.engine.Graph;
import dev.loupe.engine.io.AtomicFiles;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.embedding.Embedding;
import dev.loupe.explain.embedding.Embeddings;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Embeds a dataset at a layer. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed a dataset's images at a layer (default: the input of the final classifier) as an N x D float32 .npy.")
final class EmbedCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    DataOptions data;

    @Option(names = "--layer", paramLabel = "TENSOR", description = "The layer (default: the input of the last Gemm/MatMul).")
    String layer;

    @Option(names = "--pool", paramLabel = "average|max|flatten", defaultValue = "average",
            description = "How a 4-D feature map becomes a vector (default ${DEFAULT-VALUE}).")
    String pool;

    @Option(names = "--npy", paramLabel = "EMB.npy", required = true, description = "The N x D embeddings.")
    Path npy;

    @Option(names = "--labels-npy", paramLabel = "LABELS.npy", description = "The N labels (int32), when the dataset has them.")
    Path labelsNpy;

    @Option(names = "--paths", paramLabel = "FILE.txt", description = "The N sources, one a line (default: EMB.paths.txt).")
    Path paths;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Graph g = model.load().graph();
        if (layer != null) {
            ActivationsCommand.requireTensor(g, layer);
        }
        Embeddings.Pool p = switch (pool.toLowerCase(Locale.ROOT)) {
            case "average" -> Embeddings.Pool.AVERAGE;
            case "max" -> Embeddings.Pool.MAX;
            case "flatten" -> Embeddings.Pool.FLATTEN;
            default -> throw new UsageException("--pool is average, max or flatten, not " + pool);
        };
        Dataset d = data.open(g, err);
        ProgressBar bar = new ProgressBar(err, "embed");
        long t0 = System.nanoTime();
        try (Cancel cancel = new Cancel()) {
            Embedding e;
            try {
                e = Embeddings.compute(g, d, data.transform(g), layer, p, data.batch, data.limit, bar, cancel, DataOptions.warnings(err));
            } catch (IllegalArgumentException ex) {
                throw new UsageException(ex.getMessage(), ex);
            } finally {
                bar.close();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            Npy.write(npy, e.tensor());
            Session.note(o, "embeddings", npy);
            if (labelsNpy != null) {
                if (e.labels() == null) {
                    err.println("loupe: warning: " + d.name() + " has no labels; not writing " + labelsNpy);
                } else {
                    Npy.writeInts(labelsNpy, e.labels(), e.n());
                    Session.note(o, "labels", labelsNpy);
                }
            }
            Path list = paths != null ? paths : npy.resolveSibling(npy.getFileName().toString().replaceFirst("\\.npy$", "") + ".paths.txt");
            AtomicFiles.write(list, (String.join("\n", e.sources()) + "\n").getBytes(StandardCharsets.UTF_8));
            Session.note(o, "sources", list);
            o.println(String.format(Locale.ROOT, "%d x %d at '%s' in %.1f s (%.1f images/s)%s", e.n(), e.d(), e.layer(), secs, e.n() / secs,
                    cancel.getAsBoolean() ? "; interrupted, embeddings so far" : ""));
        }
        return 0;
    }
}
