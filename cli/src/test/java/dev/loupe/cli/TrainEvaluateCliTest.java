package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loupe.engine.io.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe train} and {@code loupe evaluate}; the runs on real data are skipped, saying so, without Fashion-MNIST. */
class TrainEvaluateCliTest {
    private static final Pattern ACCURACY = Pattern.compile("(?m)^accuracy: (0\\.\\d{4}|1\\.0000)$");

    @TempDir
    Path dir;

    private static void assumeData() {
        if (!FashionMnist.isAvailable()) {
            System.out.println("SKIPPED: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        }
        assumeTrue(FashionMnist.isAvailable(), "Fashion-MNIST is not installed");
    }

    private static double accuracy(Run r) {
        Matcher m = ACCURACY.matcher(r.out());
        assertTrue(m.find(), r.toString());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void usageErrors() {
        Run r = Run.of("train", "--dataset", "cifar10", "--out", dir.resolve("m.onnx").toString());
        assertEquals(Main.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("fashion-mnist"), r.err());
        r = Run.of("train", "--dataset", "fashion-mnist", "--out", dir.resolve("m.onnx").toString(), "--biased", "--bias-class", "Hat");
        assertEquals(Main.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("'Hat' is not a Fashion-MNIST class"), r.err());
        r = Run.of("train", "--dataset", "fashion-mnist", "--out", dir.resolve("m.onnx").toString(), "--biased", "--head", "avg");
        assertEquals(Main.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("unknown head 'avg'; use flatten or max-pool"), r.err());
        r = Run.of("train", "--dataset", "fashion-mnist");
        assertEquals(Main.USAGE, r.code(), r.toString());
        r = Run.of("evaluate", "--model", "x.onnx", "--data", "imagenet:val");
        assertEquals(Main.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("fashion-mnist:test"), r.err());
    }

    @Test
    void missingModelIsOneClearLine() {
        Run r = Run.of("evaluate", "--model", dir.resolve("none.onnx").toString(), "--data", "fashion-mnist:test");
        assertEquals(Main.FAILURE, r.code(), r.toString());
        assertTrue(r.err().startsWith("loupe: error: ") && r.err().strip().lines().count() == 1, r.err());
    }

    @Test
    void bundledModelByNameReachesNinetyPercent() {
        assumeData();
        System.setProperty("loupe.home", Run.repoRoot().toString());
        try {
            Run r = Run.of("evaluate", "--model", "fashion-cnn", "--data", "fashion-mnist:test");
            assertEquals(0, r.code(), r.toString());
            assertTrue(accuracy(r) >= 0.90, r.toString());
        } finally {
            System.clearProperty("loupe.home");
        }
    }

    /** A short run on 1,000 images: the command trains, reports, writes a model that evaluate reads. */
    @Test
    void quickTrainingWritesAModelThatEvaluateReads() throws Exception {
        assumeData();
        Path model = dir.resolve("quick.onnx");
        Run r = Run.of("train", "--dataset", "fashion-mnist", "--out", model.toString(), "--epochs", "1", "--limit", "1000",
                "--seed", "3");
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.isRegularFile(model));
        assertTrue(r.err().contains("epoch 1/1 [") && r.err().contains("loss"), r.err());
        Matcher m = Pattern.compile("test accuracy: (0\\.\\d{4})").matcher(r.out());
        assertTrue(m.find(), r.out());
        double trained = Double.parseDouble(m.group(1));
        assertTrue(trained > 0.5, r.out());
        Run e = Run.of("evaluate", "--model", model.toString(), "--data", "fashion-mnist:test");
        assertEquals(0, e.code(), e.toString());
        assertEquals(trained, accuracy(e), 1e-9);
    }
}
