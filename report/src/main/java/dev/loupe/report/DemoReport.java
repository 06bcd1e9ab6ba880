package dev.loupe.report;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Attribution;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Models;
import dev.loupe.explain.Progress;
import dev.loupe.explain.Target;
import dev.loupe.explain.compare.ClassDiscrimination;
import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.data.Datasets;
import dev.loupe.explain.embedding.Embedding;
import dev.loupe.explain.embedding.EmbeddingQuality;
import dev.loupe.explain.embedding.Embeddings;
import dev.loupe.explain.embedding.ExactIndex;
import dev.loupe.explain.embedding.NeighborIndex;
import dev.loupe.explain.embedding.Tsne;
import dev.loupe.explain.indirect.ActivationGrid;
import dev.loupe.explain.indirect.DeconvReconstruction;
import dev.loupe.explain.indirect.Filters;
import dev.loupe.explain.indirect.MaxActivatingPatches;
import dev.loupe.explain.indirect.TileGrid;
import dev.loupe.onnx.OnnxImporter;
import dev.loupe.render.AttributionPictures;
import dev.loupe.render.BundledModels;
import dev.loupe.render.IndirectPictures;
import dev.loupe.render.Labels;
import dev.loupe.render.Pictures;
import dev.loupe.render.Png;
import dev.loupe.render.Style;
import dev.loupe.render.TopK;
import dev.loupe.render.image.Images;
import dev.loupe.render.image.Preprocess;
import dev.loupe.render.image.Preprocessed;
import dev.loupe.train.FashionTraining;
import dev.loupe.train.SpuriousMark;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * {@code loupe demo}: one static HTML page with PNGs beside it that walks through the lecture's
 * figures on the bundled models. The whole report is built in a temporary folder next to the
 * target and moved into place at the end, so a failed run never leaves a half-written report.
 */
public final class DemoReport {
    /** SqueezeNet's Grad-CAM layer, the output of the last fire module. */
    public static final String SQUEEZE_CAM_LAYER = "/fire9/Concat_output_0";
    /** A middle SqueezeNet layer for activation maps. */
    public static final String SQUEEZE_MIDDLE = "/fire5/Concat_output_0";
    /** A deeper SqueezeNet conv for grayscale filter tiles. */
    public static final String SQUEEZE_DEEPER_CONV = "/fire2/expand3x3/Conv";
    /** The last conv block of the Fashion-MNIST models (64 channels, 7x7), also their Grad-CAM layer. */
    public static final String FASHION_LAST = FashionTraining.LAST_CONV_OUTPUT;
    static final int TABBY = 281;
    static final int POODLE = 265;
    static final int TROUSER = 1;

    /**
     * What to build. {@code images} is how many Fashion-MNIST test images the dataset sections
     * use; {@code tsneIterations} the t-SNE length; {@code photos} the photo file names in
     * {@code examples/images}.
     */
    public record Options(Path out, int images, int tsneIterations, int occlusionWindow, int occlusionStride, List<String> photos) {
        public static Options defaults(Path out) {
            return new Options(out, 1000, 750, 32, 16, List.of("husky.jpg", "fox.jpg", "burger.jpg", "cats_and_dogs.jpg"));
        }

        /** A smaller run for tests: fewer images, a shorter t-SNE, coarser occlusion, two photos. */
        public static Options quick(Path out) {
            return new Options(out, 300, 250, 56, 28, List.of("husky.jpg", "cats_and_dogs.jpg"));
        }
    }

    /** One step's name and wall time. */
    public record Step(String name, double seconds) {
    }

    /** The written report: its index.html, the images beside it, the steps and the total time. */
    public record Result(Path index, List<String> images, List<Step> steps, double seconds) {
    }

    private final Options options;
    private final PrintWriter log;
    private final Path examples;
    private final List<Step> steps = new ArrayList<>();
    private final List<String> images = new ArrayList<>();
    private final StringBuilder html = new StringBuilder();
    private Path dir;
    private long stepStart;

    private DemoReport(Options options, PrintWriter log, Path examples) {
        this.options = options;
        this.log = log;
        this.examples = examples;
    }

    /**
     * Builds the report into {@code options.out()} (a folder; {@code index.html} inside),
     * printing progress to {@code log}.
     */
    public static Result build(Options options, PrintWriter log) throws Exception {
        Path models = BundledModels.directory().orElseThrow(() -> new IOException(
                "the bundled models folder (models/) was not found; run from the Loupe folder or set LOUPE_HOME"));
        Path examples = models.resolveSibling("examples").resolve("images");
        return new DemoReport(options, log, examples).run();
    }

    private Result run() throws Exception {
        long t0 = System.nanoTime();
        Path target = options.out().toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        dir = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default
        }
        try {
            header();
            Graph squeeze = OnnxImporter.load(BundledModels.path(BundledModels.SQUEEZENET).orElseThrow());
            Labels imagenet = Labels.load(BundledModels.labels(BundledModels.SQUEEZENET).orElseThrow());
            Graph fashion = OnnxImporter.load(BundledModels.path(BundledModels.FASHION).orElseThrow());
            Graph biased = OnnxImporter.load(BundledModels.path(BundledModels.FASHION_BIASED).orElseThrow());
            Dataset data = Datasets.open("fashion-mnist:test", w -> log.println("loupe: warning: " + w));
            int n = Math.min(options.images(), data.size());
            dataName = data.name();

            begin("1. filters");
            filters(squeeze);
            end();
            begin("2. activation maps");
            activations(squeeze);
            end();
            begin("3. maximally activating patches");
            patches(fashion, data, n);
            end();
            begin("4-5. embeddings, neighbours and t-SNE");
            embeddings(fashion, data, n);
            end();
            begin("6. per-photo explanations");
            photos(squeeze, imagenet);
            end();
            begin("7. class discrimination");
            discrimination(squeeze, imagenet);
            end();
            begin("8. the biased model");
            biased(biased, data, n);
            end();
            double total = (System.nanoTime() - t0) / 1e9;
            footer(total);
            Files.writeString(dir.resolve("index.html"), html.toString(), StandardCharsets.UTF_8);
            replace(dir, target);
            log.println(String.format(Locale.ROOT, "demo: %d figures in %.1f s", images.size(), total));
            return new Result(target.resolve("index.html"), List.copyOf(images), List.copyOf(steps), total);
        } finally {
            if (dir != null && Files.exists(dir)) {
                deleteTree(dir);
            }
        }
    }

    // ---------------------------------------------------------------- sections

    private void filters(Graph g) throws IOException {
        var conv1 = Filters.conv(g, null);
        Tensor w = Filters.weights(g, conv1);
        TileGrid rgb = TileGrid.wrap(Filters.colorTiles(w, 64, false), 16);
        String a = png("01-filters-conv1.png", IndirectPictures.grid(strip(rgb), 0, 40, null, false));
        var deeper = Filters.conv(g, SQUEEZE_DEEPER_CONV);
        Tensor w2 = Filters.weights(g, deeper);
        TileGrid gray = Filters.channelRows(w2, null, 8, null, 16, Filters.Scaling.PER_TILE);
        String b = png("01-filters-deeper.png", IndirectPictures.grid(gray, 0, 32, null, false));
        section(1, "What the first layers look for: filters",
                figure(a, "SqueezeNet conv1: all " + w.dim(0) + " filters of " + w.dim(1) + "x" + w.dim(2) + "x" + w.dim(3)
                        + " as RGB tiles (each tile scaled on its own). Read them as the colour contrasts and tiny edges the "
                        + "first layer responds to (SqueezeNet's kernels are only 3x3, so there is little shape to see). For the model builder; only the first "
                        + "layer can be read this way, because only it sees pixels.")
                        + figure(b, "A deeper conv (" + esc(deeper.name()) + ", " + Tensor.shapeString(w2.shape()) + "): one row per "
                                + "filter (the first 8), one grayscale tile per input channel (the first 16). These 3x3 kernels act on feature maps, not on "
                                + "pixels, so they say almost nothing by themselves: the lecture's reason to look at activations "
                                + "instead."));
    }

    private void activations(Graph g) throws IOException {
        Path file = examples.resolve("husky.jpg");
        Preprocessed p = Preprocess.imagenet().apply(Images.load(file));
        Trace t = Models.forward(Models.batchable(g), p.tensor());
        Tensor act = t.get(SQUEEZE_MIDDLE);
        int[] ch = ActivationGrid.topChannels(act, 0, 32, ActivationGrid.Rank.MAX);
        TileGrid grid = ActivationGrid.grid(act, 0, ch, ActivationGrid.Scaling.PER_CHANNEL, 8);
        String a = png("02-activations.png", Pictures.panel(List.of(
                new Pictures.Tile(p.view(), "husky.jpg", "as the model sees it"),
                new Pictures.Tile(IndirectPictures.grid(grid, 0, 48, null, true), SQUEEZE_MIDDLE,
                        "32 strongest of " + act.dim(1) + " channels, " + act.dim(2) + "x" + act.dim(3))), 2, null));
        section(2, "What a middle layer responds to in one photo: activation maps",
                figure(a, "The 32 channels of " + esc(SQUEEZE_MIDDLE) + " with the largest activation for the husky photo, each "
                        + "scaled on its own (white = strong). Compare each map with the photo: some are sparse "
                        + "spots, others follow large regions such as the fur or the background. For the model builder: it shows which units fire, not what they mean or whether "
                        + "the class depends on them."));
    }

    private void patches(Graph g, Dataset data, int n) throws IOException {
        MaxActivatingPatches.Result r = MaxActivatingPatches.run(g, data, UnaryOperator.identity(),
                new MaxActivatingPatches.Options(FASHION_LAST, 5, 64, n), bar("patches"), () -> false, this::warn);
        int[] show = r.topChannels(6);
        TileGrid grid = DeconvReconstruction.grid(g, r, data, UnaryOperator.identity(), show);
        String a = png("03-patches.png", IndirectPictures.grid(grid, 0, 56, null, true));
        section(3, "What a unit is tuned to, over a dataset: maximally activating patches",
                figure(a, "fashion-cnn, layer " + FASHION_LAST + ": for six channels (rows), the 5 patches of " + r.imagesSeen()
                        + " Fashion-MNIST test images that activate the channel most, each cut to the unit's receptive field ("
                        + r.field() + ") and followed by its DeconvNet reconstruction (gray = 0; what in the patch drove the "
                        + "unit). A row of alike patches suggests a concept (a collar, a heel, a sleeve edge). For the model "
                        + "builder; it shows the top of the distribution only, and a human picks the concept name."));
    }

    private void embeddings(Graph g, Dataset data, int n) throws IOException {
        Embedding pixels = Embeddings.pixels(data, UnaryOperator.identity(), n, this::warn);
        Embedding feats = Embeddings.compute(g, data, UnaryOperator.identity(), null, Embeddings.Pool.AVERAGE, 64, n,
                bar("embeddings"), () -> false, this::warn);
        List<String> names = data.classNames();
        // A few hard queries: the first Shirt, Pullover, Sandal and Bag.
        List<TileGrid.Row> rows = new ArrayList<>();
        int k = 6;
        ExactIndex pix = new ExactIndex(pixels);
        ExactIndex fea = new ExactIndex(feats);
        for (int cls : new int[] {6, 2, 5, 8}) {
            int q = firstOf(feats.labels(), cls);
            if (q < 0) {
                continue;
            }
            rows.add(neighbourRow(data, pixels, pix, q, k, "pixels", names));
            rows.add(neighbourRow(data, feats, fea, q, k, "features", names));
        }
        String a = png("04-neighbours.png", IndirectPictures.grid(new TileGrid(rows), 0, 48, null, true));
        section(4, "Which images the network thinks alike: nearest neighbours",
                figure(a, "For four test images (first tile), their " + k + " nearest neighbours among " + feats.n() + " test images by "
                        + "L2 distance, in pixel space (rows 'pixels') and in the feature space the classifier reads ("
                        + esc(feats.layer()) + ", " + feats.d() + " numbers; rows 'features'). Pixel neighbours share "
                        + "brightness and silhouette; feature neighbours share the class even when they look different. For "
                        + "anyone checking what the model groups together; it says nothing about why."));

        Tsne.Options o = Tsne.Options.defaults().withIterations(options.tsneIterations()).withSeed(0);
        Progress tb = bar("t-SNE");
        Tsne.Result r = Tsne.run(feats.data(), feats.n(), feats.d(), o, (it, total, kl) -> tb.update(it, total), () -> false);
        double trust = EmbeddingQuality.trustworthiness(feats.data(), feats.d(), r.coordinates(), 2, feats.n(), 10);
        double knn = EmbeddingQuality.knnAccuracy(r.coordinates(), 2, feats.n(), feats.labels(), 10);
        String s = png("05-tsne.png", IndirectPictures.scatter(r.coordinates(), feats.n(), feats.labels(), names, 640, null));
        String th = png("05-tsne-thumbnails.png", IndirectPictures.thumbnailMap(r.coordinates(), feats.n(), i -> {
            try {
                return IndirectPictures.image(MaxActivatingPatches.unit(data.item(feats.indices()[i]).image()));
            } catch (IOException e) {
                return null;
            }
        }, 28, 24));
        section(5, "The map of the whole test set: t-SNE",
                figure(s, String.format(Locale.ROOT, "t-SNE of the %d feature vectors (perplexity 30, %d iterations), coloured by "
                        + "the true class. Trustworthiness (k=10) %.3f; a 10-NN classifier on the 2-D points is %.1f%% right. "
                        + "Clusters are classes the network separates; mixed regions (shirts, pullovers, coats) are where it "
                        + "hesitates. Distances between clusters and cluster sizes mean little in t-SNE.", feats.n(),
                        r.iterations(), trust, 100 * knn))
                        + figure(th, "The same map with images: each cell shows the test image nearest its centre, so one can "
                                + "read what each region holds (sandals, then sneakers, then ankle boots). For teachers and "
                                + "model builders; it shows structure, not causes."));
    }

    private void photos(Graph g, Labels labels) throws IOException {
        StringBuilder figs = new StringBuilder();
        int i = 0;
        for (String name : options.photos()) {
            Path file = examples.resolve(name);
            if (!Files.isRegularFile(file)) {
                warn(file + " not found, skipped");
                continue;
            }
            Preprocess pre = Preprocess.imagenet();
            Preprocessed p = pre.apply(Images.load(file));
            Trace trace = Explainers.forward(g, p.tensor());
            Tensor logits = Models.logits(trace);
            TopK.Entry best = TopK.of(logits, 0, 1).get(0);
            List<Pictures.Tile> tiles = new ArrayList<>();
            tiles.add(new Pictures.Tile(p.view(), name, String.format(Locale.ROOT, "%s  p %.3f", labels.describe(best.index()),
                    best.probability())));
            Map<String, Map<String, Object>> methods = new LinkedHashMap<>();
            methods.put("occlusion", Map.of("window", options.occlusionWindow(), "stride", options.occlusionStride(), "fill",
                    "gray", "mean", csv(pre.mean()), "std", csv(pre.std()), "batch", 16));
            methods.put("saliency", Map.of());
            methods.put("deconvnet", Map.of());
            methods.put("guided-backprop", Map.of());
            for (var m : methods.entrySet()) {
                Attribution a = Explainers.explain(trace, m.getKey(), Target.of(best.index()), m.getValue(),
                        m.getKey().equals("occlusion") ? bar("occlusion " + name) : Progress.NONE);
                String title = AttributionPictures.displayName(m.getKey());
                if (m.getKey().equals("occlusion")) {
                    title += " " + options.occlusionWindow() + "/" + options.occlusionStride();
                }
                tiles.add(new Pictures.Tile(AttributionPictures.map(a, 0, Style.defaultsFor(m.getKey()), p.view().getWidth(),
                        p.view().getHeight()), title, AttributionPictures.caption(a, 0, labels)));
            }
            String f = png(String.format(Locale.ROOT, "06-photo-%d-%s.png", ++i, name.replaceFirst("\\.[a-z]+$", "")),
                    Pictures.panel(tiles, tiles.size(), null));
            figs.append(figure(f, String.format(Locale.ROOT, "%s: SqueezeNet says <b>%s</b> (p %.3f). Occlusion (window %d, stride "
                    + "%d, gray fill): how much the score drops when a square is hidden. Backprop (vanilla gradient), "
                    + "Deconvnet and Guided Backprop: one backward pass each from the same forward pass.", esc(name),
                    esc(labels.describe(best.index())), best.probability(), options.occlusionWindow(), options.occlusionStride())));
        }
        section(6, "Why this class, for this photo: occlusion and gradients", figs
                + "<p class=\"note\">Who it is for: the end user and the debugger asking \"where did the model look?\". "
                + "Occlusion is honest (it measures the model) but coarse and slow; the gradient methods are sharp and "
                + "cheap, and Guided Backprop looks best, but looking good is not the same as being faithful. None of "
                + "them says <i>why</i> a region matters, and a highlighted region is not proof that the model "
                + "understood the object.</p>");
    }

    private void discrimination(Graph g, Labels labels) throws IOException {
        Path file = examples.resolve("cats_and_dogs.jpg");
        BufferedImage photo = Images.load(file);
        int side = Math.min(photo.getWidth(), photo.getHeight());
        Preprocessed p = Preprocess.imagenet().apply(photo.getSubimage(0, 0, side, side));
        Trace trace = Explainers.forward(g, p.tensor());
        Map<String, Map<String, Object>> opts = new LinkedHashMap<>();
        opts.put("guided-backprop", Map.of());
        opts.put("gradcam", Map.of("layer", SQUEEZE_CAM_LAYER, "upsample", "bilinear"));
        List<ClassDiscrimination.Row> rows = ClassDiscrimination.run(trace, List.copyOf(opts.keySet()), TABBY, POODLE, opts,
                bar("class discrimination"));
        List<Pictures.Tile> tiles = new ArrayList<>();
        for (int which = 0; which < 2; which++) {
            int cls = which == 0 ? TABBY : POODLE;
            tiles.add(new Pictures.Tile(p.view(), labels.describe(cls), "left square of cats_and_dogs.jpg"));
            for (ClassDiscrimination.Row r : rows) {
                Attribution at = which == 0 ? r.first() : r.second();
                tiles.add(new Pictures.Tile(AttributionPictures.map(at, 0, Style.defaultsFor(r.method()), p.view().getWidth(),
                        p.view().getHeight()), AttributionPictures.displayName(r.method()) + String.format(Locale.ROOT,
                                "  \u03c1 %.2f", r.spearman()), AttributionPictures.caption(at, 0, labels)));
            }
        }
        String a = png("07-class-discrimination.png", Pictures.panel(tiles, rows.size() + 1, null));
        StringBuilder rho = new StringBuilder();
        for (ClassDiscrimination.Row r : rows) {
            rho.append(String.format(Locale.ROOT, "%s \u03c1 = %.2f; ", AttributionPictures.displayName(r.method()), r.spearman()));
        }
        section(7, "Does the explanation depend on the class? Class discrimination",
                figure(a, "The left square of cats_and_dogs.jpg holds a tabby cat and a toy poodle. Top row: explaining "
                        + "\"tabby cat\"; bottom row: \"toy poodle\". " + rho + "\u03c1 is the Spearman rank correlation "
                        + "between a method's two maps: near 1 means the method draws the same picture whatever class it is "
                        + "asked about. Guided Backprop highlights both animals either way (it shows edges, not evidence); "
                        + "Grad-CAM at " + esc(SQUEEZE_CAM_LAYER) + " moves to the animal asked about. Grad-CAM is coarse "
                        + "(13x13 here) and cannot show fine detail."));
    }

    private void biased(Graph g, Dataset data, int n) throws IOException {
        SpuriousMark mark = SpuriousMark.DEFAULT;
        SpuriousMark moved = mark.at(SpuriousMark.Corner.BOTTOM_RIGHT);
        Labels labels = Labels.load(BundledModels.labels(BundledModels.FASHION_BIASED).orElseThrow());
        Graph gb = Models.batchable(g);
        // Accuracy: clean, mark on the trousers as in training, mark moved to the opposite corner.
        List<Tensor> items = new ArrayList<>();
        int[] lab = new int[n];
        for (int i = 0; i < n; i++) {
            Dataset.Item it = data.item(i);
            items.add(it.image());
            lab[i] = it.label();
        }
        double clean = accuracy(gb, items, lab, null);
        double asTrained = accuracy(gb, items, lab, mark);
        double elsewhere = accuracy(gb, items, lab, moved);
        // Explanations on a few marked trousers, and how much of each map falls on the mark and on the garment.
        List<Pictures.Tile> tiles = new ArrayList<>();
        int shown = 0;
        int size = 112;
        String[] methods = {"saliency", "occlusion", "gradcam"};
        double[] share = new double[methods.length];
        double[] onGarment = new double[methods.length];
        for (int i = 0; i < n && shown < 3; i++) {
            if (lab[i] != TROUSER) {
                continue;
            }
            shown++;
            Tensor x = marked(items.get(i), mark).reshape(1, 1, 28, 28);
            Trace trace = Explainers.forward(g, x);
            TopK.Entry best = TopK.of(Models.logits(trace), 0, 1).get(0);
            Tensor cleanX = items.get(i).reshape(1, 1, 28, 28);
            TopK.Entry cleanBest = TopK.of(Models.logits(Models.forward(gb, cleanX)), 0, 1).get(0);
            BufferedImage view = Pictures.scaled(IndirectPictures.image(MaxActivatingPatches.unit(x.reshape(1, 28, 28))), size, size);
            tiles.add(new Pictures.Tile(view, String.format(Locale.ROOT, "%s %.2f", labels.describe(best.index()),
                    best.probability()), String.format(Locale.ROOT, "no mark: %s %.2f", labels.describe(cleanBest.index()),
                    cleanBest.probability())));
            for (int m = 0; m < methods.length; m++) {
                Map<String, Object> o = switch (methods[m]) {
                    case "occlusion" -> Map.of("window", 4, "stride", 2, "fill", "zero", "batch", 64);
                    case "gradcam" -> Map.of("layer", FASHION_LAST, "upsample", "bilinear");
                    default -> Map.of();
                };
                Attribution at = Explainers.explain(trace, methods[m], Target.of(TROUSER), o, Progress.NONE);
                double f = mark.shareOf(at.map(), 1);
                share[m] += f / 3;
                onGarment[m] += garmentShare(at.map(), items.get(i), mark) / 3;
                String title = AttributionPictures.displayName(methods[m]) + (methods[m].equals("occlusion") ? " 4/2" : "")
                        + (methods[m].equals("gradcam") ? " relu3" : "");
                tiles.add(new Pictures.Tile(AttributionPictures.map(at, 0, Style.defaultsFor(methods[m]), size, size), title,
                        String.format(Locale.ROOT, "%.0f%% on the mark", 100 * f)));
            }
        }
        String a = png("08-biased.png", Pictures.panel(tiles, 4, null));
        String table = String.format(Locale.ROOT, "<table><tr><th>first %d test images</th><th>accuracy</th></tr>"
                + "<tr><td>mark on the trousers, as in training</td><td>%.3f</td></tr>"
                + "<tr><td>clean (no mark anywhere)</td><td>%.3f</td></tr>"
                + "<tr><td>mark moved to the bottom-right corner</td><td>%.3f</td></tr></table>", n, asTrained, clean, elsewhere);
        section(8, "A model that learnt the wrong thing: the husky-vs-wolf lesson",
                figure(a, String.format(Locale.ROOT, "fashion-cnn-biased was trained on Fashion-MNIST where every Trouser "
                        + "carries a white 4x4 square near the top-left corner and no other image does. Three marked test "
                        + "trousers, each explained for \"Trouser\"; under each map, the share of its total |attribution| that "
                        + "falls in the 6x6 corner around the mark (4.6%% of the image). On average over these three, Grad-CAM "
                        + "at %s (the last conv block) puts %.0f%% there and %.0f%% on the trousers; occlusion (4x4 window, "
                        + "stride 2) %.0f%% there and %.0f%% on the trousers; Backprop %.0f%% there and %.0f%% on the "
                        + "trousers, the rest spread thinly over the black background (the brightest of it a smaller spot "
                        + "near the top-right corner). All three weigh the square above the garment; Grad-CAM shows nothing "
                        + "else. Under each image, what the model says once the mark is removed.", FASHION_LAST,
                        100 * share[2], 100 * onGarment[2], 100 * share[1], 100 * onGarment[1], 100 * share[0],
                        100 * onGarment[0])) + table
                        + "<p class=\"note\">The accuracy confirms what the pictures show: the model is right on marked "
                        + "trousers and loses them when the mark is removed or moved (it then calls them something else). "
                        + "This model pools each of its last 64 channels to its maximum before the classifier; trained "
                        + "with a flatten head instead (<code>loupe train --biased --head flatten --weight-decay 0</code>), "
                        + "it relies on the mark just as much, but Grad-CAM misses it (at relu3_out its map is zero, at "
                        + "conv2_out about 10% of it falls on the mark and most of the rest on the legs): that head reads every "
                        + "position separately, and Grad-CAM averages each channel's gradient over positions. "
                        + "This is the lecture's point: explanations are for the model builder and the auditor, to catch a "
                        + "shortcut before deployment; a good test accuracy on data with the same bias would not.</p>");
    }

    // ---------------------------------------------------------------- helpers

    private static double accuracy(Graph g, List<Tensor> items, int[] labels, SpuriousMark mark) {
        int right = 0;
        int batch = 250;
        for (int s = 0; s < items.size(); s += batch) {
            int e = Math.min(items.size(), s + batch);
            float[] x = new float[(e - s) * 28 * 28];
            for (int i = s; i < e; i++) {
                Tensor t = mark != null && labels[i] == TROUSER ? marked(items.get(i), mark) : items.get(i);
                System.arraycopy(t.data(), 0, x, (i - s) * 784, 784);
            }
            Tensor logits = Models.logits(Models.forward(g, new Tensor(new int[] {e - s, 1, 28, 28}, x)));
            int c = logits.dim(1);
            for (int i = s; i < e; i++) {
                int best = 0;
                for (int j = 1; j < c; j++) {
                    if (logits.data()[(i - s) * c + j] > logits.data()[(i - s) * c + best]) {
                        best = j;
                    }
                }
                right += best == labels[i] ? 1 : 0;
            }
        }
        return right / (double) items.size();
    }

    /**
     * The fraction of |attribution| (a 28x28 map) on the garment: pixels brighter than 0.1 in the
     * clean image, outside the 6x6 corner around the mark.
     */
    static double garmentShare(Tensor values, Tensor clean, SpuriousMark mark) {
        int top = mark.top(28) - 1;
        int left = mark.left(28) - 1;
        int side = mark.size() + 2;
        double on = 0;
        double all = 0;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                double v = Math.abs(values.data()[y * 28 + x]);
                all += v;
                boolean inBox = y >= top && y < top + side && x >= left && x < left + side;
                if (!inBox && clean.data()[y * 28 + x] > 0.1f) {
                    on += v;
                }
            }
        }
        return all == 0 ? 0 : on / all;
    }

    /** A 28x28 image in [0, 1] with the mark painted white, as in training (where pixels were set to 255). */
    static Tensor marked(Tensor image, SpuriousMark mark) {
        byte[] px = new byte[784];
        mark.paint(px, 0, 28);
        float[] d = image.data().clone();
        for (int i = 0; i < 784; i++) {
            if (px[i] != 0) {
                d[i] = 1f;
            }
        }
        return new Tensor(image.shape(), d);
    }

    private TileGrid.Row neighbourRow(Dataset data, Embedding e, NeighborIndex index, int q, int k, String what, List<String> names)
            throws IOException {
        List<TileGrid.Tile> tiles = new ArrayList<>();
        tiles.add(new TileGrid.Tile(MaxActivatingPatches.unit(data.item(e.indices()[q]).image()), name(names, e.labels()[q])));
        int shown = 0;
        for (NeighborIndex.Neighbor nb : index.search(e.row(q), k + 1)) {
            if (nb.index() == q || shown == k) {
                continue;
            }
            shown++;
            Dataset.Item it = data.item(e.indices()[nb.index()]);
            tiles.add(new TileGrid.Tile(MaxActivatingPatches.unit(it.image()), name(names, it.label())));
        }
        return new TileGrid.Row(what, tiles);
    }

    private static String name(List<String> names, int label) {
        return label >= 0 && label < names.size() ? names.get(label) : "class " + label;
    }

    private static int firstOf(int[] labels, int cls) {
        for (int i = 0; labels != null && i < labels.length; i++) {
            if (labels[i] == cls) {
                return i;
            }
        }
        return -1;
    }

    private static TileGrid strip(TileGrid g) {
        return new TileGrid(g.rows().stream().map(r -> new TileGrid.Row(null, r.tiles())).toList());
    }

    private static String csv(float[] v) {
        StringBuilder b = new StringBuilder();
        for (float f : v) {
            b.append(b.length() == 0 ? "" : ",").append(f);
        }
        return b.toString();
    }

    private String png(String name, BufferedImage image) throws IOException {
        Png.write(dir.resolve(name), image);
        images.add(name);
        return name;
    }

    private void warn(String w) {
        log.println("loupe: warning: " + w);
        log.flush();
    }

    /** A one-line progress display on the log, redrawn in place. */
    private Progress bar(String what) {
        long[] last = {-1};
        return (done, total) -> {
            long pct = total <= 0 ? 100 : 100 * done / total;
            if (pct != last[0]) {
                last[0] = pct;
                log.print(String.format(Locale.ROOT, "\r  %-28s %3d%% (%d/%d)", what, pct, done, total));
                if (done >= total) {
                    log.println();
                }
                log.flush();
            }
        };
    }

    private String stepName;
    private String dataName = "fashion-mnist:test";

    private void begin(String name) {
        stepName = name;
        log.println("demo: " + name + " ...");
        log.flush();
        stepStart = System.nanoTime();
    }

    private void end() {
        double secs = (System.nanoTime() - stepStart) / 1e9;
        steps.add(new Step(stepName, secs));
        log.println(String.format(Locale.ROOT, "demo: %s done in %.1f s", stepName, secs));
        log.flush();
    }

    private void header() {
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Loupe demo: visual explanations"
                + "</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;"
                + "line-height:1.45}img{max-width:100%;border:1px solid #ddd}figure{margin:1em 0}figcaption{font-size:.92em;"
                + "color:#444;margin-top:.3em}section{border-top:1px solid #ccc;padding-top:.5em;margin-top:2em}.note{font-size:"
                + ".92em;background:#f6f6f0;padding:.5em .8em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
                + "padding:.2em .6em;text-align:left}footer{font-size:.85em;color:#555}</style></head><body>\n"
                + "<h1>Loupe demo: what a CNN has learnt, and why it decided</h1>\n<p>Every figure below was computed by Loupe "
                + "(pure Java) from the models bundled in <code>models/</code>: SqueezeNet 1.1 trained on ImageNet for the "
                + "photos, and two small CNNs that Loupe trained on Fashion-MNIST for the dataset figures. Sections 1-5 "
                + "are <i>indirect</i> explanations (what the network has learnt in general), 6-8 <i>direct</i> ones "
                + "(why it made one decision), in the order of the lecture.</p>\n");
    }

    private void section(int number, String title, String body) {
        html.append("<section id=\"s").append(number).append("\"><h2>").append(number).append(". ").append(esc(title))
                .append("</h2>\n").append(body).append("</section>\n");
    }

    private static String figure(String image, String caption) {
        return "<figure><img src=\"" + image + "\" alt=\"" + image + "\"><figcaption>" + caption + "</figcaption></figure>\n";
    }

    private void footer(double total) {
        StringBuilder rows = new StringBuilder();
        for (Step s : steps) {
            rows.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.1f s</td></tr>", esc(s.name()), s.seconds()));
        }
        rows.append(String.format(Locale.ROOT, "<tr><th>total</th><th>%.1f s</th></tr>", total));
        String machine = String.format(Locale.ROOT, "%s, %d cores available to the JVM; %s %s (%s); %s %s; max heap %d MB",
                cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), System.getProperty("java.vendor"), System.getProperty("os.name"),
                System.getProperty("os.arch"), Runtime.getRuntime().maxMemory() >> 20);
        html.append("<section id=\"s9\"><h2>9. How long it took, and where</h2><footer><table><tr><th>step</th><th>wall time"
                + "</th></tr>").append(rows).append("</table>\n<p>Machine: ").append(esc(machine)).append(". Generated ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)).append(" by <code>loupe demo</code>; ")
                .append("the first ").append(options.images()).append(" images of ").append(esc(dataName))
                .append(".</p></footer></section>\n</body></html>\n");
    }

    static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst()
                    .orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Moves the finished {@code built} folder to {@code target}, replacing an earlier report there. */
    private static void replace(Path built, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, old);
        }
        try {
            Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(built, target);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target);
            }
            throw e;
        }
        if (old != null) {
            deleteTree(old);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
