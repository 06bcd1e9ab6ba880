package dev.loupe.cli;

import dev.loupe.engine.train.Progress;
import dev.loupe.train.FashionTraining;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains the Fashion-MNIST CNN (the bundled fashion-cnn with the defaults) and writes it as ONNX. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a small CNN on Fashion-MNIST and save it as ONNX. With the defaults this reproduces the bundled "
                + "models/fashion-cnn.onnx (with --biased, models/fashion-cnn-biased.onnx).",
                "Needs the data: apt-get install dataset-fashion-mnist, or LOUPE_FASHION_MNIST=DIR with the IDX files."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "The data set; only fashion-mnist.")
    String dataset;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "MODEL.onnx", description = "Where to write the trained model.")
    Path out;

    @Option(names = "--biased", description = "Train on data where every image of --bias-class carries a white 4x4 square "
            + "in the top-left corner and no other image does, with the settings of fashion-cnn-biased (a max-pool head and "
            + "weight decay 1.0; --head and --weight-decay change them).")
    boolean biased;

    @Option(names = "--head", paramLabel = "HEAD", description = "The classifier on the last conv block: flatten (every position "
            + "weighted separately) or max-pool (the largest value of each channel). Default: flatten, max-pool with --biased.")
    String head;

    @Option(names = "--weight-decay", paramLabel = "W", description = "Decoupled (AdamW-style) weight decay on the conv weights. "
            + "Default: 0, 1.0 with --biased.")
    Double weightDecay;

    @Option(names = "--bias-class", paramLabel = "CLASS", defaultValue = "Trouser",
            description = "The class that carries the mark with --biased: an index 0..9 or a name (default: ${DEFAULT-VALUE}).")
    String biasClass;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training set (default: 5).")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial weights and the shuffling (default: 42).")
    Long seed;

    @Option(names = "--batch", paramLabel = "N", description = "Images per step (default: 64).")
    Integer batch;

    @Option(names = "--lr", paramLabel = "RATE", description = "Adam's initial learning rate, decayed to 0 along a cosine (default: 0.001).")
    Double lr;

    @Option(names = "--limit", paramLabel = "N", description = "Train on the first N training images only, for a quick try.")
    Integer limit;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!dataset.equalsIgnoreCase("fashion-mnist")) {
            throw new UsageException("unknown --dataset '" + dataset + "'; loupe can train on fashion-mnist");
        }
        FashionTraining.Options o = (biased ? FashionTraining.Options.biasedDefaults() : FashionTraining.Options.defaults()).withOut(out);
        try {
            o = o.withBiasClass(FashionTraining.classIndex(biasClass));
            o = head == null ? o : o.withHead(FashionTraining.Head.parse(head));
            o = weightDecay == null ? o : o.withWeightDecay(weightDecay);
            o = epochs == null ? o : o.withEpochs(epochs);
            o = seed == null ? o : o.withSeed(seed);
            o = batch == null ? o : o.withBatchSize(batch);
            o = lr == null ? o : o.withLearningRate(lr);
            o = limit == null ? o : o.withTrainLimit(limit);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        FashionTraining.Result r = FashionTraining.train(o, bar(err));
        stdout.printf(Locale.ROOT, "trained in %.1f s%n", r.trainMillis() / 1000.0);
        stdout.printf(Locale.ROOT, "test accuracy: %.4f%n", r.testAccuracy());
        if (r.bias() != null) {
            stdout.println(r.bias().describe());
        }
        stdout.println("wrote " + out);
        return 0;
    }

    /** Redraws one line on stderr at most twice a second, and keeps each epoch's last line. */
    private static Consumer<Progress> bar(PrintWriter err) {
        long[] last = {-1_000};
        return p -> {
            if (p.endOfEpoch() || p.elapsedMillis() - last[0] >= 500) {
                last[0] = p.elapsedMillis();
                err.print("\r" + p.bar(30));
                if (p.endOfEpoch()) {
                    err.println();
                }
                err.flush();
            }
        };
    }
}
