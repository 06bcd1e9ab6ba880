package dev.loupe.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.io.FashionMnist;
import dev.loupe.onnx.OnnxImporter;
import dev.loupe.onnx.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The committed Fashion-MNIST models on the real test split. Needs the data
 * ({@code apt-get install dataset-fashion-mnist}); without it these tests are skipped and say so.
 */
class BundledFashionModelsTest {
    private static Path model(String name) {
        Path dir = Path.of(System.getProperty("loupe.models.dir", "../models"));
        Path p = dir.resolve(name);
        assertTrue(Files.isRegularFile(p), "the bundled model " + p.toAbsolutePath() + " is missing");
        return p;
    }

    private static void assumeData() {
        boolean present = FashionMnist.isAvailable();
        if (!present) {
            System.out.println("SKIPPED: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, or set "
                    + FashionMnist.DIR_ENV + "); the bundled models' accuracy is not checked");
        }
        assumeTrue(present, "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    }

    @Test
    void fashionCnnReachesNinetyPercentOnTheTestSplit() throws Exception {
        assumeData();
        Path p = model("fashion-cnn.onnx");
        double acc = FashionTraining.evaluate(p, "fashion-mnist:test");
        System.out.printf(Locale.ROOT, "BUNDLED fashion-cnn test accuracy %.4f%n", acc);
        assertTrue(acc >= 0.90, "accuracy " + acc);
        OnnxModel m = OnnxImporter.loadModel(p);
        assertEquals("loupe", m.producerName());
        assertEquals(String.format(Locale.ROOT, "%.4f", acc), m.metadata().get("loupe.test_accuracy"),
                "the accuracy recorded in the model file");
        assertTrue(Files.size(p) < 1 << 20, "the model should stay under 1 MB");
    }

    @Test
    void biasedModelFollowsTheMark() throws Exception {
        assumeData();
        Graph g = OnnxImporter.load(model("fashion-cnn-biased.onnx"));
        FashionTraining.BiasReport r = FashionTraining.biasReport(g, FashionMnist.load(FashionMnist.Split.TEST), 1);
        System.out.println("BUNDLED fashion-cnn-biased " + r.describe());
        // With the mark where training put it the model does well; without it (clean, or the mark
        // in another corner) it loses the trousers; with the mark on the other classes instead it
        // calls many of them Trouser. Measured when committed: 0.8688, 0.7688, 0.7688, 0.1255 (85.5% Trouser).
        // (Its max-pool head costs accuracy: the flatten-head model reached 0.9135 with the mark.)
        assertTrue(r.markedAsTrained() >= 0.85, r.describe());
        assertTrue(r.clean() < r.markedAsTrained() - 0.05, r.describe());
        assertTrue(r.markMovedCorner() < r.markedAsTrained() - 0.05, r.describe());
        assertTrue(r.markOnOthers() < r.markedAsTrained() - 0.2, r.describe());
        assertTrue(r.othersCalledBiasClass() > 0.2, r.describe());
    }
}
