package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.Npy;
import dev.loupe.onnx.testing.OnnxBuilder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands end to end on a tiny convolutional model built in the test (conv, ReLU, 1x1 conv,
 * global average pooling), so they are checked with only the core ops.
 */
class TinyModelCliTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path image;
    static String[] base;

    @BeforeAll
    static void build() throws IOException {
        Random rng = new Random(7);
        OnnxBuilder b = new OnnxBuilder(13).input("x", "batch", 3, 16, 16);
        String w1 = b.weight("w1", OnnxBuilder.random(rng, 4, 3, 3, 3));
        String w2 = b.weight("w2", OnnxBuilder.random(rng, 5, 4, 1, 1));
        b.node("Conv", List.of("x", w1), List.of("conv1"), "pads", new int[] {1, 1, 1, 1});
        b.node("Relu", List.of("conv1"), List.of("relu1"));
        b.node("Conv", List.of("relu1", w2), List.of("conv2"));
        b.node("GlobalAveragePool", List.of("conv2"), List.of("logits"));
        b.output("logits");
        model = dir.resolve("tiny.onnx");
        Files.write(model, b.bytes());
        Files.writeString(dir.resolve("labels.txt"), "n00000001 alpha cat, kitty\nbeta dog\ngamma\ndelta\nepsilon\n");
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 256; i++) {
            img.setRGB(i % 16, i / 16, rng.nextInt(0x1000000));
        }
        image = dir.resolve("pic.png");
        ImageIO.write(img, "png", image.toFile());
        base = new String[] {"--model", model.toString(), "--image", image.toString(), "--preset", "none"};
    }

    private static String[] with(String cmd, String... more) {
        String[] a = new String[1 + base.length + more.length];
        a[0] = cmd;
        System.arraycopy(base, 0, a, 1, base.length);
        System.arraycopy(more, 0, a, 1 + base.length, more.length);
        return a;
    }

    @Test
    void infoListsTensorsShapesOpsAndTheGradCamLayer() {
        Run r = Run.of("info", "--model", model.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("input     x [batch, 3, 16, 16]"), r.out());
        assertTrue(r.out().contains("loupe-test"), r.out());
        assertTrue(r.out().matches("(?s).*conv1\\s+\\[1, 4, 16, 16]\\s+Conv.*"), r.out());
        assertTrue(r.out().matches("(?s).*logits\\s+\\[1, 5, 1, 1]\\s+GlobalAveragePool.*"), r.out());
        assertTrue(r.out().contains("<- default Grad-CAM layer"), r.out());
    }

    @Test
    void predictPrintsRankedClassesWithNamesFromTheLabelFile() throws IOException {
        Path npy = dir.resolve("logits.npy");
        Run r = Run.of(with("predict", "--top", "3", "--npy", npy.toString()));
        assertEquals(0, r.code(), r.toString());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("pic.png"), r.out());
        assertTrue(lines[1].trim().startsWith("1. "), r.out());
        assertTrue(r.out().contains("%") && r.out().contains("logit"), r.out());
        assertEquals(3, Arrays.stream(lines).filter(l -> l.matches("\\s+\\d\\. .*")).count(), r.out());
        // The WordNet id is dropped and only the first synonym is shown.
        assertFalse(r.out().contains("n00000001") || r.out().contains("kitty"), r.out());
        assertArrayEquals(new int[] {1, 5, 1, 1}, Npy.read(npy).shape());
    }

    @Test
    void activationsSavesTheNamedTensor() throws IOException {
        Path npy = dir.resolve("act.npy");
        Run r = Run.of(with("activations", "--layer", "relu1", "--npy", npy.toString()));
        assertEquals(0, r.code(), r.toString());
        Tensor t = Npy.read(npy);
        assertArrayEquals(new int[] {1, 4, 16, 16}, t.shape());
        for (float v : t.data()) {
            assertTrue(v >= 0);
        }
        Run bad = Run.of(with("activations", "--layer", "relu_1", "--npy", dir.resolve("x.npy").toString()));
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().startsWith("loupe: error: no tensor named 'relu_1'") && bad.err().contains("relu1"), bad.err());
    }

    @Test
    void explainWritesLabelledPngsAndTheRawAttribution() throws IOException {
        Path map = dir.resolve("out/map.png");
        Path over = dir.resolve("out/over.png");
        Path npy = dir.resolve("out/attr.npy");
        Run r = Run.of(with("explain", "--method", "guided-backprop", "--target", "beta dog", "--out", map.toString(),
                "--overlay", over.toString(), "--npy", npy.toString(), "--colormap", "viridis"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Guided Backprop for beta dog (1)"), r.out());
        BufferedImage png = ImageIO.read(map.toFile());
        assertEquals(120, png.getWidth()); // a 16-pixel map gets a caption at least 120 wide
        assertTrue(png.getHeight() > 16);
        assertTrue(ImageIO.read(over.toFile()).getHeight() > 16);
        assertArrayEquals(new int[] {1, 3, 16, 16}, Npy.read(npy).shape());
        try (var files = Files.list(map.getParent())) {
            assertEquals(3, files.count(), "no temporary files left");
        }
    }

    @Test
    void everyMethodRunsFromTheCommandLine() throws IOException {
        for (String m : List.of("saliency", "deconvnet", "occlusion", "smoothgrad", "integrated-gradients", "gradcam",
                "guided-gradcam")) {
            Path npy = dir.resolve("m-" + m + ".npy");
            String[] extra = switch (m) {
                case "occlusion" -> new String[] {"--window", "4", "--fill", "mean"};
                case "smoothgrad" -> new String[] {"--samples", "4", "--seed", "3"};
                case "integrated-gradients" -> new String[] {"--steps", "8", "--integration", "gauss-legendre"};
                case "gradcam" -> new String[] {"--layer", "relu1"};
                default -> new String[0];
            };
            String[] args = with("explain", "--method", m, "--npy", npy.toString(), "--out", dir.resolve("m-" + m + ".png").toString());
            String[] all = Arrays.copyOf(args, args.length + extra.length);
            System.arraycopy(extra, 0, all, args.length, extra.length);
            Run r = Run.of(all);
            assertEquals(0, r.code(), m + ": " + r);
            int[] s = Npy.read(npy).shape();
            assertEquals(16, s[2], m);
        }
    }

    @Test
    void compareDrawsOnePanelFromOneForwardPass() throws IOException {
        Path out = dir.resolve("panel.png");
        Run r = Run.of(with("compare", "--methods", "saliency,deconvnet,guided-backprop,gradcam", "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        BufferedImage p = ImageIO.read(out.toFile());
        assertTrue(p.getWidth() >= 5 * 120, "image plus four maps: " + p.getWidth());
    }

    @Test
    void usageErrorsExitTwoWithOneClearLine() {
        Run r = Run.of(with("explain", "--method", "shap"));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("loupe: error: unknown method 'shap'; valid methods: saliency"), r.err());
        assertEquals(1, r.err().strip().split("\n").length, "one line: " + r.err());

        r = Run.of(with("explain", "--method", "saliency", "--target", "gamm"));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown class 'gamm'") && r.err().contains("gamma (2)"), r.err());

        r = Run.of(with("explain", "--method", "saliency", "--target", "9"));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("out of range") && r.err().contains("5 classes"), r.err());

        r = Run.of(with("explain", "--method", "saliency", "--window", "3"));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--window does not apply to saliency"), r.err());

        r = Run.of("predict", "--model", model.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("loupe: error: Missing required argument"), r.err());

        r = Run.of("explian");
        assertEquals(2, r.code(), r.toString());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @Test
    void runtimeFailuresExitOneAndNameTheProblem() throws IOException {
        Run r = Run.of("predict", "--model", dir.resolve("missing.onnx").toString(), "--image", image.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("loupe: error: model file not found"), r.err());

        byte[] bytes = Files.readAllBytes(model);
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        r = Run.of("info", "--model", cut.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("cut.onnx") && r.err().contains("truncated"), r.err());

        OnnxBuilder b = new OnnxBuilder(13).input("x", 1, 3);
        b.node("Frobnicate", List.of("x"), List.of("y"));
        b.output("y");
        Path odd = dir.resolve("odd.onnx");
        Files.write(odd, b.bytes());
        r = Run.of("info", "--model", odd.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("unsupported op 'Frobnicate'"), r.err());

        Path junk = dir.resolve("junk.jpg");
        Files.write(junk, new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0, 1, 2, 3});
        r = Run.of("predict", "--model", model.toString(), "--image", junk.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("loupe: error: ") && r.err().contains("junk.jpg"), r.err());

        Path wrong = dir.resolve("wrong.npy");
        Npy.write(wrong, Tensor.zeros(1, 3, 8, 9));
        r = Run.of("predict", "--model", model.toString(), "--tensor", wrong.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("[batch, 3, 16, 16]") && r.err().contains("[1, 3, 8, 9]"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --debug");

        r = Run.of("predict", "--debug", "--model", model.toString(), "--tensor", wrong.toString());
        assertTrue(r.err().contains("\tat "), "stack trace with --debug");
    }

    @Test
    void targetedMethodsRunFromTheCommandLine() throws IOException {
        for (String m : List.of("gradcam++", "counterfactual", "score-cam", "rise", "lime")) {
            Path npy = dir.resolve("t-" + m + ".npy");
            String[] extra = switch (m) {
                case "score-cam" -> new String[] {"--max-channels", "3", "--batch", "2"};
                case "rise" -> new String[] {"--masks", "40", "--cell", "4", "--probability", "0.4", "--seed", "2"};
                case "lime" -> new String[] {"--samples", "40", "--segments", "8", "--kernel-width", "0.3"};
                default -> new String[] {"--layer", "relu1", "--upsample", "nearest"};
            };
            String[] args = with("explain", "--method", m, "--target", "1", "--contrast", "2", "--npy", npy.toString(),
                    "--out", dir.resolve("t-" + m + ".png").toString());
            String[] all = Arrays.copyOf(args, args.length + extra.length);
            System.arraycopy(extra, 0, all, args.length, extra.length);
            Run r = Run.of(all);
            assertEquals(0, r.code(), m + ": " + r);
            assertTrue(r.out().contains(" vs "), m + ": " + r.out());
            assertArrayEquals(new int[] {1, 1, 16, 16}, Npy.read(npy).shape(), m);
            assertTrue(Files.size(dir.resolve("t-" + m + ".png")) > 0, m);
        }
        Run lime = Run.of(with("explain", "--method", "lime", "--samples", "20", "--segments", "6", "--npy",
                dir.resolve("lime.npy").toString()));
        assertTrue(lime.out().contains("superpixels, top: #"), lime.out());
    }

    @Test
    void targetedFlagsAreCheckedPerMethod() {
        Run r = Run.of(with("explain", "--method", "rise", "--segments", "4"));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--segments does not apply to rise") && r.err().contains("--masks"), r.err());
        // The tiny model classifies with a 1x1 conv before pooling: no GAP + linear head for CAM.
        r = Run.of(with("explain", "--method", "cam"));
        assertTrue(r.code() != 0 && r.err().contains("GlobalAveragePool") && r.err().contains("gradcam"), r.toString());
    }

    @Test
    void compareAcceptsTheTargetedMethods() throws IOException {
        Path out = dir.resolve("panel-targeted.png");
        Run r = Run.of(with("compare", "--methods", "gradcam,gradcam++,guided-gradcam,score-cam,rise", "--masks", "30",
                "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        assertTrue(ImageIO.read(out.toFile()).getWidth() >= 6 * 120);
    }
}
