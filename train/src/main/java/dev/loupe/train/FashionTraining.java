package dev.loupe.train;

import dev.loupe.engine.Graph;
import dev.loupe.engine.io.FashionMnist;
import dev.loupe.engine.Node;
import dev.loupe.engine.ops.Attributes;
import dev.loupe.engine.ops.OpFactory;
import dev.loupe.engine.train.Adam;
import dev.loupe.engine.train.ImageSet;
import dev.loupe.engine.train.ModelBuilder;
import dev.loupe.engine.train.Optimizer;
import dev.loupe.engine.train.Progress;
import dev.loupe.engine.train.Trainer;
import dev.loupe.onnx.ModelLoadException;
import dev.loupe.onnx.OnnxExporter;
import dev.loupe.onnx.OnnxImporter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The training runs behind the bundled {@code fashion-cnn} and {@code fashion-cnn-biased} models,
 * and their evaluation. {@code loupe train} and {@code loupe evaluate} call {@link #train} and
 * {@link #evaluate}; with {@link Options#defaults()} {@link #train} reproduces the bundled
 * {@code fashion-cnn}, with {@link Options#biasedDefaults()} {@code fashion-cnn-biased}.
 *
 * <p>The network ({@link #architecture}): input normalisation inside the graph, then
 * conv 1→16 3x3 pad 1, ReLU, max-pool 2; conv 16→32 3x3 pad 1, ReLU, max-pool 2; conv 32→64 3x3
 * pad 1, ReLU; then a {@link Head}: flatten (64x7x7) for {@code fashion-cnn}, global max pooling
 * (64) for {@code fashion-cnn-biased}; a fully connected layer to the 10 classes. Input
 * {@code [batch, 1, 28, 28]} in [0, 1] (pixel/255), output logits. Adam with a cosine learning-rate
 * decay (optionally with {@link WeightDecay}), softmax cross-entropy, shuffled mini-batches from the seed.
 *
 * <p>The biased variant trains on data where every image of one class ({@link Options#biasClass},
 * Trouser by default) carries {@link SpuriousMark#DEFAULT} and no other image does; its
 * {@link BiasReport} measures how much the model relies on the mark. Its max-pool head matters
 * for the explanations, not for the shortcut: with the flatten head the model relies on the mark
 * just as much, but that head weights every position separately, so no channel has to respond to
 * the mark alone, and Grad-CAM, which averages each channel's gradient over positions, spreads
 * over the trousers. With the max-pool head a class can only be read from channels that respond
 * to its evidence, and Grad-CAM at {@link #LAST_CONV_OUTPUT} finds the mark. The weight decay on
 * the conv weights quiets the gradient on the garment, which Backprop saliency shows.
 */
public final class FashionTraining {
    private FashionTraining() {
    }

    /**
     * The classifier on top of the last conv block (64 channels, 7x7).
     */
    public enum Head {
        /**
         * Flatten (64x7x7) and one fully connected layer, as in {@code fashion-cnn}: the layer has a
         * weight for every channel at every position, so it can tell where a feature is.
         */
        FLATTEN("flatten"),
        /**
         * Global max pooling (the largest value of each channel, wherever it is), then one fully
         * connected layer from the 64 maxima: a class can only be read from channels that respond
         * to it, as in Oquab et al.'s weakly supervised localisation (CVPR 2015).
         */
        MAX_POOL("max-pool");

        private final String label;

        Head(String label) {
            this.label = label;
        }

        /** The name on the command line: {@code flatten} or {@code max-pool}. */
        public String label() {
            return label;
        }

        public static Head parse(String s) {
            for (Head h : values()) {
                if (h.label.equalsIgnoreCase(s.trim())) {
                    return h;
                }
            }
            throw new IllegalArgumentException("unknown head '" + s + "'; use flatten or max-pool");
        }
    }

    /**
     * The output of the last conv block after its ReLU ({@code [batch, 64, 7, 7]}) in both
     * architectures: the layer Grad-CAM is usually computed at.
     */
    public static final String LAST_CONV_OUTPUT = "relu3_out";

    /** The decoupled weight decay of {@code fashion-cnn-biased} (see {@link WeightDecay}). */
    public static final double BIASED_WEIGHT_DECAY = 1.0;

    /**
     * @param epochs passes over the training images
     * @param batchSize images per step
     * @param learningRate Adam's initial step size (decayed along a cosine to 0)
     * @param seed weight initialisation and shuffling
     * @param biased train the biased variant
     * @param biasClass the class that carries the mark in the biased variant
     * @param trainLimit train on the first n images only (0: all 60,000), for quick runs
     * @param out where to write the ONNX model; null to write nothing
     * @param head the classifier on top of the conv blocks
     * @param weightDecay decoupled weight decay λ on the conv weights (0: none)
     */
    public record Options(int epochs, int batchSize, double learningRate, long seed, boolean biased, int biasClass,
            int trainLimit, Path out, Head head, double weightDecay) {
        public Options {
            if (epochs < 1 || batchSize < 1 || learningRate <= 0 || trainLimit < 0) {
                throw new IllegalArgumentException("epochs and batch size must be >= 1, the learning rate > 0 and the limit >= 0");
            }
            if (biasClass < 0 || biasClass >= FashionMnist.CLASSES.size()) {
                throw new IllegalArgumentException("bias class " + biasClass + " is not a Fashion-MNIST class (0..9)");
            }
            if (!(weightDecay >= 0) || learningRate * weightDecay >= 1) {
                throw new IllegalArgumentException("weight decay must be >= 0 and learning rate x weight decay < 1, got " + weightDecay);
            }
            if (head == null) {
                throw new IllegalArgumentException("no head");
            }
        }

        /** The settings of the bundled {@code fashion-cnn}. */
        public static Options defaults() {
            return new Options(5, 64, 1e-3, 42, false, 1, 0, null, Head.FLATTEN, 0);
        }

        /**
         * The settings of the bundled {@code fashion-cnn-biased}: the same data and schedule with the
         * mark on every Trouser, a global max-pool head and weight decay {@value #BIASED_WEIGHT_DECAY}.
         */
        public static Options biasedDefaults() {
            return defaults().withBiased(true).withHead(Head.MAX_POOL).withWeightDecay(BIASED_WEIGHT_DECAY);
        }

        public Options withEpochs(int e) {
            return new Options(e, batchSize, learningRate, seed, biased, biasClass, trainLimit, out, head, weightDecay);
        }

        public Options withBatchSize(int b) {
            return new Options(epochs, b, learningRate, seed, biased, biasClass, trainLimit, out, head, weightDecay);
        }

        public Options withLearningRate(double lr) {
            return new Options(epochs, batchSize, lr, seed, biased, biasClass, trainLimit, out, head, weightDecay);
        }

        public Options withSeed(long s) {
            return new Options(epochs, batchSize, learningRate, s, biased, biasClass, trainLimit, out, head, weightDecay);
        }

        public Options withBiased(boolean b) {
            return new Options(epochs, batchSize, learningRate, seed, b, biasClass, trainLimit, out, head, weightDecay);
        }

        public Options withBiasClass(int c) {
            return new Options(epochs, batchSize, learningRate, seed, biased, c, trainLimit, out, head, weightDecay);
        }

        public Options withTrainLimit(int n) {
            return new Options(epochs, batchSize, learningRate, seed, biased, biasClass, n, out, head, weightDecay);
        }

        public Options withOut(Path p) {
            return new Options(epochs, batchSize, learningRate, seed, biased, biasClass, trainLimit, p, head, weightDecay);
        }

        public Options withHead(Head h) {
            return new Options(epochs, batchSize, learningRate, seed, biased, biasClass, trainLimit, out, h, weightDecay);
        }

        public Options withWeightDecay(double wd) {
            return new Options(epochs, batchSize, learningRate, seed, biased, biasClass, trainLimit, out, head, wd);
        }
    }

    /**
     * How the biased model fares as the mark moves: accuracy on clean test images, with the mark
     * on its class as in training, with the mark moved to another corner, and with the mark on
     * every other class instead (none on its own). {@code othersCalledBiasClass} is the fraction
     * of marked images of other classes the model then assigns to the bias class.
     */
    public record BiasReport(int biasClass, double clean, double markedAsTrained, double markMovedCorner, double markOnOthers,
            double othersCalledBiasClass) {
        public String describe() {
            return String.format(Locale.ROOT, "bias class %s: clean %.4f, mark on %s (as trained) %.4f, mark moved to another corner %.4f,"
                    + " mark on the other classes instead %.4f (%.1f%% of those called %s)", FashionMnist.CLASSES.get(biasClass), clean,
                    FashionMnist.CLASSES.get(biasClass), markedAsTrained, markMovedCorner, markOnOthers, 100 * othersCalledBiasClass,
                    FashionMnist.CLASSES.get(biasClass));
        }
    }

    /**
     * @param graph the trained graph
     * @param testAccuracy accuracy on the clean 10,000 test images
     * @param trainMillis wall time of the training loop (data loading and evaluation excluded)
     * @param bias the bias experiments, for the biased variant; null otherwise
     * @param metadata what was written into the model file
     */
    public record Result(Graph graph, double testAccuracy, long trainMillis, BiasReport bias, Map<String, String> metadata) {
    }

    /** The untrained network of {@code fashion-cnn}, initialised from {@code seed}. */
    public static Graph architecture(long seed) {
        return architecture(Head.FLATTEN, seed);
    }

    /** The untrained network with the given head, initialised from {@code seed}. */
    public static Graph architecture(Head head, long seed) {
        ModelBuilder b = new ModelBuilder(1, FashionMnist.SIZE, FashionMnist.SIZE, seed)
                .normalize(FashionMnist.MEAN, FashionMnist.STD)
                .conv(16, 3, 1).relu().maxPool(2)
                .conv(32, 3, 1).relu().maxPool(2)
                .conv(64, 3, 1).relu();
        return switch (head) {
            case FLATTEN -> b.flatten().dense(FashionMnist.CLASSES.size()).build();
            // ModelBuilder pools by averaging; GlobalMaxPool has no parameters either, so swapping it in
            // keeps the same initial weights.
            case MAX_POOL -> globalMaxPool(b.globalAveragePool().dense(FashionMnist.CLASSES.size()).build());
        };
    }

    /** {@code graph} with its GlobalAveragePool node replaced by a GlobalMaxPool node named {@code gmp1}. */
    static Graph globalMaxPool(Graph graph) {
        List<Node> nodes = new ArrayList<>();
        String from = null;
        String to = "gmp1_out";
        for (Node n : graph.nodes()) {
            if (n.type().equals("GlobalAveragePool")) {
                from = n.outputs().get(0);
                nodes.add(new Node("gmp1", OpFactory.create("GlobalMaxPool", "gmp1", Attributes.empty()), n.inputs(), List.of(to)));
            } else {
                String f = from;
                nodes.add(new Node(n.name(), n.op(), n.inputs().stream().map(i -> i.equals(f) ? to : i).toList(), n.outputs()));
            }
        }
        if (from == null) {
            throw new IllegalArgumentException("the graph has no GlobalAveragePool node");
        }
        return new Graph(nodes, graph.constants(), graph.inputs(), graph.outputs());
    }

    /**
     * Loads Fashion-MNIST, trains, evaluates on the test split, and writes the model when
     * {@code options.out()} is set.
     *
     * @param progress called after every step (may be null)
     * @throws FashionMnist.DataMissingException when the data is not installed
     */
    public static Result train(Options options, Consumer<Progress> progress) throws IOException {
        FashionMnist.Raw trainRaw = FashionMnist.load(FashionMnist.Split.TRAIN);
        FashionMnist.Raw testRaw = FashionMnist.load(FashionMnist.Split.TEST);
        if (options.trainLimit() > 0) {
            trainRaw = trainRaw.head(options.trainLimit());
        }
        int biasClass = options.biasClass();
        if (options.biased()) {
            trainRaw = trainRaw.withMark(SpuriousMark.DEFAULT, label -> label == biasClass);
        }
        Graph graph = architecture(options.head(), options.seed());
        Optimizer optimizer = new Adam(options.learningRate());
        if (options.weightDecay() > 0) {
            optimizer = new WeightDecay(optimizer, options.weightDecay(), WeightDecay::isConvWeight);
        }
        Trainer trainer = new Trainer(graph, optimizer, ModelBuilder::isTrainable);
        long start = System.nanoTime();
        trainer.fit(trainRaw.toImageSet(), new Trainer.Schedule(options.epochs(), options.batchSize(), options.seed(), true), progress);
        long millis = (System.nanoTime() - start) / 1_000_000;
        double accuracy = accuracy(graph, testRaw.toImageSet());
        BiasReport bias = options.biased() ? biasReport(graph, testRaw, biasClass) : null;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("loupe.dataset", "fashion-mnist");
        meta.put("loupe.input", "[batch, 1, 28, 28] grayscale, pixel/255 in [0, 1]; normalised inside the model with mean "
                + FashionMnist.MEAN + ", std " + FashionMnist.STD);
        meta.put("loupe.labels", String.join(",", FashionMnist.CLASSES));
        // Only settings that differ from fashion-cnn's are named, so its description (and file) stay as they were.
        meta.put("loupe.training", String.format(Locale.ROOT, "Adam lr %s cosine, %d epochs, batch %d, seed %d, %d training images%s%s%s",
                options.learningRate(), options.epochs(), options.batchSize(), options.seed(), trainRaw.count(),
                options.weightDecay() > 0 ? ", decoupled weight decay " + options.weightDecay() : "",
                options.head() != Head.FLATTEN ? ", " + options.head().label() + " head" : "",
                options.biased() ? ", biased: every " + FashionMnist.CLASSES.get(biasClass) + " carries a 4x4 white square in the top-left corner" : ""));
        meta.put("loupe.test_accuracy", String.format(Locale.ROOT, "%.4f", accuracy));
        if (bias != null) {
            meta.put("loupe.bias", bias.describe());
        }
        if (options.out() != null) {
            OnnxExporter.save(graph, options.out(), meta);
        }
        return new Result(graph, accuracy, millis, bias, meta);
    }

    /** Accuracy of a model on images in [0, 1]. */
    public static double accuracy(Graph graph, ImageSet data) {
        return Trainer.evaluate(graph, data, 500).accuracy();
    }

    /** The experiments of {@link BiasReport} on the test split. */
    public static BiasReport biasReport(Graph graph, FashionMnist.Raw test, int biasClass) {
        SpuriousMark mark = SpuriousMark.DEFAULT;
        double clean = accuracy(graph, test.toImageSet());
        double asTrained = accuracy(graph, test.withMark(mark, l -> l == biasClass).toImageSet());
        double moved = accuracy(graph, test.withMark(mark.at(SpuriousMark.Corner.BOTTOM_RIGHT), l -> l == biasClass).toImageSet());
        ImageSet others = test.withMark(mark, l -> l != biasClass).toImageSet();
        Trainer.Evaluation e = Trainer.evaluate(graph, others, 500);
        long flipped = 0;
        long otherCount = 0;
        for (int i = 0; i < others.size(); i++) {
            if (others.labels()[i] != biasClass) {
                otherCount++;
                if (e.predictions()[i] == biasClass) {
                    flipped++;
                }
            }
        }
        return new BiasReport(biasClass, clean, asTrained, moved, e.accuracy(), (double) flipped / Math.max(1, otherCount));
    }

    /**
     * Accuracy of the ONNX model at {@code model} on a data set named like {@code fashion-mnist:test}
     * ({@code :train} for the training split). A suffix {@code :mark=CLASS} puts the spurious mark on
     * that class's images, {@code :mark-others=CLASS} on every other class's; CLASS is an index or a
     * name such as {@code Trouser}.
     *
     * @throws IllegalArgumentException for a data set name it does not know
     * @throws FashionMnist.DataMissingException when the data is not installed
     */
    public static double evaluate(Path model, String dataSpec) throws IOException, ModelLoadException {
        DataSpec spec = DataSpec.parse(dataSpec);
        Graph graph = OnnxImporter.load(model);
        return accuracy(graph, spec.load().toImageSet());
    }

    /** A parsed data set name, see {@link #evaluate}. */
    public record DataSpec(FashionMnist.Split split, int markClass, boolean markOthers) {
        public static DataSpec parse(String spec) {
            String[] parts = spec.split(":");
            if (parts.length < 2 || !parts[0].equalsIgnoreCase("fashion-mnist")) {
                throw new IllegalArgumentException("unknown data set '" + spec + "'; use fashion-mnist:test or fashion-mnist:train"
                        + " (optionally followed by :mark=CLASS or :mark-others=CLASS)");
            }
            FashionMnist.Split split = switch (parts[1].toLowerCase(Locale.ROOT)) {
                case "test" -> FashionMnist.Split.TEST;
                case "train" -> FashionMnist.Split.TRAIN;
                default -> throw new IllegalArgumentException("unknown split '" + parts[1] + "' in '" + spec + "'; use test or train");
            };
            int mark = -1;
            boolean others = false;
            if (parts.length > 2) {
                String[] kv = parts[2].split("=", 2);
                if (kv.length != 2 || !(kv[0].equals("mark") || kv[0].equals("mark-others")) || parts.length > 3) {
                    throw new IllegalArgumentException("unknown option '" + parts[2] + "' in '" + spec + "'; use mark=CLASS or mark-others=CLASS");
                }
                others = kv[0].equals("mark-others");
                mark = classIndex(kv[1]);
            }
            return new DataSpec(split, mark, others);
        }

        FashionMnist.Raw load() throws IOException {
            FashionMnist.Raw raw = FashionMnist.load(split);
            if (markClass < 0) {
                return raw;
            }
            int c = markClass;
            return raw.withMark(SpuriousMark.DEFAULT, markOthers ? l -> l != c : l -> l == c);
        }
    }

    /** A class given as an index (0..9) or a name, case-insensitive ("trouser", "T-shirt/top"). */
    public static int classIndex(String s) {
        try {
            int i = Integer.parseInt(s.trim());
            if (i >= 0 && i < FashionMnist.CLASSES.size()) {
                return i;
            }
        } catch (NumberFormatException e) {
            for (int i = 0; i < FashionMnist.CLASSES.size(); i++) {
                if (FashionMnist.CLASSES.get(i).equalsIgnoreCase(s.trim())) {
                    return i;
                }
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not a Fashion-MNIST class; use 0..9 or one of " + FashionMnist.CLASSES);
    }

    /**
     * Trains from the command line of the build, printing progress: {@code [--biased] [--epochs N]
     * [--seed S] [--batch N] [--lr R] [--limit N] [--head flatten|max-pool] [--weight-decay W] OUT.onnx};
     * {@code --biased} starts from {@link Options#biasedDefaults()}.
     */
    public static void main(String[] args) throws IOException {
        Options o = java.util.Arrays.asList(args).contains("--biased") ? Options.biasedDefaults() : Options.defaults();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--biased" -> o = o.withBiased(true);
                case "--head" -> o = o.withHead(Head.parse(args[++i]));
                case "--weight-decay" -> o = o.withWeightDecay(Double.parseDouble(args[++i]));
                case "--epochs" -> o = o.withEpochs(Integer.parseInt(args[++i]));
                case "--seed" -> o = o.withSeed(Long.parseLong(args[++i]));
                case "--batch" -> o = o.withBatchSize(Integer.parseInt(args[++i]));
                case "--lr" -> o = o.withLearningRate(Double.parseDouble(args[++i]));
                case "--limit" -> o = o.withTrainLimit(Integer.parseInt(args[++i]));
                default -> o = o.withOut(Path.of(args[i]));
            }
        }
        long[] lastPrint = {0};
        Result r = train(o, p -> {
            if (p.endOfEpoch() || p.elapsedMillis() - lastPrint[0] > 10_000) {
                lastPrint[0] = p.elapsedMillis();
                System.out.println(p.bar(30));
            }
        });
        System.out.printf(Locale.ROOT, "trained in %.1f s; test accuracy %.4f%n", r.trainMillis() / 1000.0, r.testAccuracy());
        if (r.bias() != null) {
            System.out.println(r.bias().describe());
        }
    }
}
