package dev.loupe.explain.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.io.Npy;
import dev.loupe.engine.ops.UnsupportedOpException;
import dev.loupe.explain.Attribution;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Models;
import dev.loupe.explain.Target;
import dev.loupe.onnx.ModelLoadException;
import dev.loupe.onnx.OnnxImporter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with Captum 0.8 on the five tiny models in {@code src/test/resources/parity}: every
 * method's map must satisfy {@code |a - r| <= atol + rtol·|r|} elementwise with rtol = 1e-4 and
 * atol = 1e-4 · max|r|, as the fixtures' manifests prescribe. Settings (target, layer, occlusion
 * window/stride/fill, IG steps) are read from each manifest.
 */
class ParityTest {
    static final List<String> MODELS = List.of("tiny_alexnet_lrn", "tiny_dense", "tiny_mobile", "tiny_resnet", "tiny_vgg");
    static final List<String> METHODS = List.of("logits", "activation", "saliency", "deconvnet", "guided_backprop",
            "occlusion", "integrated_gradients", "gradcam", "guided_gradcam");

    private static final Map<String, Fixture> FIXTURES = new ConcurrentHashMap<>();

    record Fixture(Graph graph, Tensor input, Trace trace, String manifest, int target, String layer) {
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String m : MODELS) {
            for (String method : METHODS) {
                out.add(Arguments.of(m, method));
            }
        }
        return out.stream();
    }

    static Fixture fixture(String model) {
        return FIXTURES.computeIfAbsent(model, m -> {
            try {
                Path dir = Path.of(ParityTest.class.getResource("/parity/" + m + "/model.onnx").toURI()).getParent();
                Graph g;
                try {
                    g = OnnxImporter.load(dir.resolve("model.onnx"));
                } catch (ModelLoadException e) {
                    // Until the nnops/tensorops branches are merged the importer lacks Conv etc.
                    Assumptions.assumeFalse(e.getCause() instanceof UnsupportedOpException, "ops not merged yet: " + e.getMessage());
                    throw e;
                }
                Tensor input = Npy.read(dir.resolve("input.npy"));
                String manifest = resource(m, "manifest.json");
                int target = Integer.parseInt(find(manifest, "\"target\"\\s*:\\s*(\\d+)"));
                String layer = find(manifest, "\"onnx_tensor\"\\s*:\\s*\"([^\"]+)\"");
                return new Fixture(g, input, Explainers.forward(g, input), manifest, target, layer);
            } catch (Exception e) {
                if (e instanceof RuntimeException r) {
                    throw r;
                }
                throw new RuntimeException(e);
            }
        });
    }

    static String resource(String model, String file) throws IOException {
        try (InputStream in = ParityTest.class.getResourceAsStream("/parity/" + model + "/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Tensor reference(String model, String name) throws IOException {
        try (InputStream in = ParityTest.class.getResourceAsStream("/parity/" + model + "/" + name + ".npy")) {
            return Npy.read(in, name);
        }
    }

    static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
        if (!m.find()) {
            throw new AssertionError("manifest lacks " + regex);
        }
        return m.group(1);
    }

    /** Computes {@code method} on {@code model} with the manifest's settings. */
    static Tensor compute(String model, String method) {
        Fixture f = fixture(model);
        Target t = Target.of(f.target());
        String occ = find(f.manifest(), "\"occlusion\"\\s*:\\s*\\{(.*?)\\}");
        String ig = find(f.manifest(), "\"integrated_gradients\"\\s*:\\s*\\{(.*?)\\}");
        return switch (method) {
            case "logits" -> Models.logits(f.trace());
            case "activation" -> f.trace().get(f.layer());
            case "saliency", "deconvnet" -> Explainers.explain(f.trace(), method, t, Map.of(), null).map();
            case "guided_backprop" -> Explainers.explain(f.trace(), "guided-backprop", t, Map.of(), null).map();
            case "occlusion" -> Explainers.explain(f.trace(), "occlusion", t, Map.of(
                    "window", find(occ, "\"window\"\\s*:\\s*(\\d+)"),
                    "stride", find(occ, "\"stride\"\\s*:\\s*(\\d+)"),
                    "fill", find(occ, "\"fill\"\\s*:\\s*([-0-9.eE]+)")), null).map();
            case "integrated_gradients" -> {
                Attribution a = Explainers.explain(f.trace(), "integrated-gradients", t, Map.of(
                        "steps", find(ig, "\"steps\"\\s*:\\s*(\\d+)"), "integration", "trapezoid", "baseline", "zero"), null);
                yield a.map();
            }
            case "gradcam" -> Explainers.explain(f.trace(), "gradcam", t, Map.of("layer", f.layer()), null).map();
            case "guided_gradcam" -> Explainers.explain(f.trace(), "guided-gradcam", t,
                    Map.of("layer", f.layer(), "upsample", "nearest"), null).map();
            default -> throw new IllegalArgumentException(method);
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesCaptum(String model, String method) throws IOException {
        Tensor ref = reference(model, method);
        Tensor got = compute(model, method);
        assertArrayEquals(ref.shape(), got.shape(), "shape of " + method);
        double maxRef = 0;
        for (float v : ref.data()) {
            maxRef = Math.max(maxRef, Math.abs(v));
        }
        double rtol = 1e-4;
        double atol = 1e-4 * maxRef;
        double maxErr = 0;
        int bad = 0;
        int firstBad = -1;
        for (int i = 0; i < ref.size(); i++) {
            double err = Math.abs(got.data()[i] - ref.data()[i]);
            maxErr = Math.max(maxErr, err);
            if (!(err <= atol + rtol * Math.abs(ref.data()[i]))) {
                if (bad++ == 0) {
                    firstBad = i;
                }
            }
        }
        System.out.printf("PARITY %-17s %-21s max|err| %.3e  atol %.3e  (max|ref| %.3e)  %s%n", model, method, maxErr, atol,
                maxRef, bad == 0 ? "ok" : bad + " elements off");
        int fb = firstBad;
        assertTrue(bad == 0, () -> model + " " + method + ": " + ref.size() + " values, first mismatch at " + fb
                + " got " + got.data()[fb] + " want " + ref.data()[fb]);
    }
}
