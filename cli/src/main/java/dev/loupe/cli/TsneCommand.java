package dev.loupe.cli;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.AtomicFiles;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.embedding.EmbeddingQuality;
import dev.loupe.explain.embedding.Tsne;
import dev.loupe.explain.indirect.MaxActivatingPatches;
import dev.loupe.render.IndirectPictures;
import dev.loupe.render.Png;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Barnes–Hut t-SNE of embeddings, drawn. */
@Command(name = "tsne", mixinStandardHelpOptions = true,
        description = "Map embeddings (N x D .npy) to 2-D with Barnes-Hut t-SNE; draw a scatter plot by class and optionally an image map.")
final class TsneCommand implements Callable<Integer> {
    @Option(names = "--embeddings", paramLabel = "EMB.npy", required = true, description = "N x D points (from 'loupe embed').")
    Path embeddings;

    @Option(names = "--labels", paramLabel = "LABELS.npy", description = "N class labels, for colours, the legend and 2-D k-NN accuracy.")
    Path labels;

    @Option(names = "--perplexity", paramLabel = "P", defaultValue = "30", description = "Default ${DEFAULT-VALUE}.")
    double perplexity;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "1000", description = "Default ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--theta", paramLabel = "T", defaultValue = "0.5", description = "Barnes-Hut accuracy, 0 = exact (default ${DEFAULT-VALUE}).")
    double theta;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--init", paramLabel = "pca|random", defaultValue = "pca", description = "Default ${DEFAULT-VALUE}.")
    String init;

    @Option(names = "--npy", paramLabel = "COORDS.npy", description = "Write the N x 2 coordinates.")
    Path npy;

    @Option(names = "--out", paramLabel = "MAP.png|MAP.svg", description = "Scatter plot coloured by class.")
    Path out;

    @Option(names = "--thumbnails", paramLabel = "FILE.png", description = "The image map (needs --data, in the order of the embeddings).")
    Path thumbnails;

    @Option(names = "--data", paramLabel = "D", description = "The images embedded (for --thumbnails and class names).")
    String data;

    @Option(names = "--cells", paramLabel = "N", defaultValue = "40", description = "Image map of N x N cells (default ${DEFAULT-VALUE}).")
    int cells;

    @Option(names = "--size", paramLabel = "PX", defaultValue = "900", description = "Scatter plot size (default ${DEFAULT-VALUE}).")
    int size;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (out == null && npy == null && thumbnails == null) {
            throw new UsageException("give --out MAP.png|MAP.svg, --npy COORDS.npy or --thumbnails FILE.png");
        }
        if (thumbnails != null && data == null) {
            throw new UsageException("--thumbnails needs --data, the images the embeddings came from");
        }
        for (Path f : labels == null ? List.of(embeddings) : List.of(embeddings, labels)) {
            if (!java.nio.file.Files.isRegularFile(f)) {
                throw new UsageException("file not found: " + f);
            }
        }
        Tensor emb = Npy.read(embeddings);
        if (emb.rank() != 2) {
            emb = emb.reshape(emb.dim(0), emb.size() / emb.dim(0));
        }
        int n = emb.dim(0);
        int d = emb.dim(1);
        int[] lab = null;
        if (labels != null) {
            float[] l = Npy.read(labels).data();
            if (l.length != n) {
                throw new UsageException(labels + " holds " + l.length + " labels for " + n + " points");
            }
            lab = new int[n];
            for (int i = 0; i < n; i++) {
                lab[i] = Math.round(l[i]);
            }
        }
        Dataset ds = data == null ? null : dev.loupe.render.data.DataSources.open(data, null, DataOptions.warnings(err));
        List<String> names = ds == null ? List.of() : ds.classNames();
        Tsne.Init in = switch (init.toLowerCase(Locale.ROOT)) {
            case "pca" -> Tsne.Init.PCA;
            case "random" -> Tsne.Init.RANDOM;
            default -> throw new UsageException("--init is pca or random, not " + init);
        };
        Tsne.Options opts = Tsne.Options.defaults().withPerplexity(perplexity).withIterations(iterations).withTheta(theta).withSeed(seed)
                .withInit(in);
        ProgressBar bar = new ProgressBar(err, "t-SNE");
        long t0 = System.nanoTime();
        Tsne.Result r;
        try (Cancel cancel = new Cancel()) {
            try {
                r = Tsne.run(emb.data(), n, d, opts, (it, total, kl) -> bar.update(it, total), cancel);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage(), e);
            } finally {
                bar.close();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            o.println(String.format(Locale.ROOT, "t-SNE of %d x %d: %d iterations in %.1f s, KL %.3f%s", n, d, r.iterations(), secs, r.kl(),
                    r.complete() ? "" : " (interrupted: the map so far)"));
            if (npy != null) {
                Npy.write(npy, new Tensor(new int[] {n, 2}, r.coordinates()));
                Session.note(o, "coordinates", npy);
            }
            if (n > 20) {
                double trust = EmbeddingQuality.trustworthiness(emb.data(), d, r.coordinates(), 2, n, Math.min(10, n / 2 - 1));
                o.println(String.format(Locale.ROOT, "trustworthiness (k=10): %.4f", trust));
                if (lab != null) {
                    o.println(String.format(Locale.ROOT, "2-D 10-NN accuracy: %.4f", EmbeddingQuality.knnAccuracy(r.coordinates(), 2, n, lab, 10)));
                }
            }
            String heading = String.format(Locale.ROOT, "t-SNE of %s (%d points, perplexity %s)", embeddings.getFileName(), n,
                    java.math.BigDecimal.valueOf(perplexity).stripTrailingZeros().toPlainString());
            if (out != null) {
                if (out.toString().toLowerCase(Locale.ROOT).endsWith(".svg")) {
                    AtomicFiles.write(out, IndirectPictures.scatterSvg(r.coordinates(), n, lab, names, size, heading).getBytes(StandardCharsets.UTF_8));
                } else {
                    Png.write(out, IndirectPictures.scatter(r.coordinates(), n, lab, names, size, heading));
                }
                Session.note(o, "map", out);
            }
            if (thumbnails != null) {
                Dataset images = ds;
                Png.write(thumbnails, IndirectPictures.thumbnailMap(r.coordinates(), n, i -> {
                    try {
                        return i < images.size() ? IndirectPictures.image(MaxActivatingPatches.unit(images.item(i).image())) : null;
                    } catch (Exception e) {
                        err.println("loupe: warning: " + e.getMessage());
                        return (BufferedImage) null;
                    }
                }, cells, 32));
                Session.note(o, "image map", thumbnails);
            }
        }
        return 0;
    }
}
