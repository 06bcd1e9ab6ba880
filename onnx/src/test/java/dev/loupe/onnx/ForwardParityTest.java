package dev.loupe.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.io.Npy;
import dev.loupe.onnx.testing.Compare;
import dev.loupe.onnx.testing.EngineOps;
import dev.loupe.onnx.testing.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Imported models compute what PyTorch computed: logits and the manifest's layer activation for
 * the parity models, batch-2 logits for the random-weight torchvision models.
 */
class ForwardParityTest {
    private static final double RTOL = 1e-4;
    private static final double ATOL_FRACTION = 1e-4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny_alexnet_lrn", "tiny_dense", "tiny_mobile", "tiny_resnet", "tiny_vgg"})
    void parityModel(String name) throws Exception {
        Path dir = Shared.file("parity/" + name);
        EngineOps.assumeSupported(dir.resolve("model.onnx"));
        Graph g = OnnxImporter.load(dir.resolve("model.onnx"));
        String manifest = Files.readString(dir.resolve("manifest.json"));
        Matcher layer = Pattern.compile("\"onnx_tensor\"\\s*:\\s*\"([^\"]+)\"").matcher(manifest);
        assertTrue(layer.find(), "manifest names a layer");
        Trace t = Executor.forward(g, Npy.read(dir.resolve("input.npy")));
        double logitErr = Compare.assertClose(name + " logits", Npy.read(dir.resolve("logits.npy")), t.output(), RTOL, ATOL_FRACTION);
        double actErr = Compare.assertClose(name + " activation " + layer.group(1), Npy.read(dir.resolve("activation.npy")),
                t.get(layer.group(1)), RTOL, ATOL_FRACTION);
        System.out.printf("parity %s: max |logit error| %.3g, max |activation error| %.3g%n", name, logitErr, actErr);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18", "mobilenet_v2", "squeezenet1_1"})
    void torchvisionModel(String name) throws Exception {
        Path model = Shared.file("models/" + name + ".onnx");
        EngineOps.assumeSupported(model);
        Graph g = OnnxImporter.load(model);
        Tensor input = Npy.read(Shared.file("models/" + name + ".input.npy"));
        Tensor expected = Npy.read(Shared.file("models/" + name + ".logits.npy"));
        assertEquals(2, input.dim(0));
        long t0 = System.nanoTime();
        Tensor logits = Executor.forward(g, input).output();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        double err = Compare.assertClose(name + " logits", expected, logits, RTOL, ATOL_FRACTION);
        System.out.printf("torchvision %s: batch 2 in %d ms, max |logit error| %.3g (max |logit| %.3g)%n",
                name, ms, err, Compare.maxAbs(expected));
        // Inference: ReLUs fused into the ops before them, activations recycled (the second pass
        // gets the first one's arrays, poisoned in tests). Must give the traced pass's bits.
        String out = g.outputs().get(0).name();
        for (int pass = 0; pass < 2; pass++) {
            Tensor inferred = Executor.evaluate(g, input, List.of(out)).get(out);
            assertArrayEquals(logits.data(), inferred.data(), name + ": inference pass " + pass + " differs from the traced pass");
        }
    }

    @Test
    void pretrainedSqueezeNetRuns() throws Exception {
        Path model = Shared.file("models/squeezenet1.1-imagenet.onnx");
        EngineOps.assumeSupported(model);
        Graph g = OnnxImporter.load(model);
        Tensor input = Tensor.zeros(1, 3, 224, 224); // a mean-grey image after normalisation
        Tensor logits = Executor.forward(g, input).output();
        assertArrayEquals(new int[] {1, 1000}, logits.shape());
        for (float v : logits.data()) {
            assertTrue(Float.isFinite(v));
        }
    }
}
