package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loupe.engine.io.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import dev.loupe.onnx.ModelLoadException;
import dev.loupe.onnx.OnnxImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The CLI on the bundled pretrained SqueezeNet 1.1 and real photos. */
class SqueezeNetCliTest {
    static final Path ROOT = Run.repoRoot();
    static final String MODEL = ROOT.resolve("models/squeezenet1.1-imagenet.onnx").toString();
    static final Path IMAGES = ROOT.resolve("examples/images");

    @TempDir
    Path dir;

    /** Until every op SqueezeNet uses is merged in, these tests say so and skip instead of failing. */
    @BeforeAll
    static void modelLoads() {
        try {
            OnnxImporter.load(Path.of(MODEL));
        } catch (ModelLoadException e) {
            assumeTrue(!e.getMessage().contains("unsupported op"), "the engine lacks an op SqueezeNet needs: " + e.getMessage());
            throw new AssertionError(e);
        }
    }

    /** The first class name printed by predict. */
    static String top1(Run r) {
        return Arrays.stream(r.out().split("\n")).filter(l -> l.matches("\\s+1\\. .*")).findFirst()
                .map(l -> l.replaceFirst("\\s+1\\. ", "").replaceFirst("\\s+\\d+\\.\\d+%.*", "").strip())
                .orElse("");
    }

    @Test
    void predictNamesTheSiberianHuskyFirst() {
        Run r = Run.of("predict", "--model", MODEL, "--image", IMAGES.resolve("husky.jpg").toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("Siberian husky", top1(r), r.out());
    }

    @Test
    void bundledPhotosGetTheirClasses() {
        Run burger = Run.of("predict", "--model", MODEL, "--image", IMAGES.resolve("burger.jpg").toString(), "--top", "1");
        assertEquals("cheeseburger", top1(burger), burger.out());
    }

    static Stream<Arguments> sharedPhotos() {
        // Top-1 classes stated in ../shared/images/README.md for this model and the imagenet preset.
        return Stream.of(Arguments.of("husky.jpg", "Siberian husky"), Arguments.of("fox.jpg", "Arctic fox"),
                Arguments.of("orange.png", "orange"), Arguments.of("burger.jpg", "cheeseburger"));
    }

    @ParameterizedTest
    @MethodSource("sharedPhotos")
    void sharedPhotosGetTheClassesTheirReadmeStates(String file, String expected) {
        Optional<Path> shared = Optional.ofNullable(System.getProperty("loupe.shared.dir")).map(Path::of)
                .map(p -> p.resolve("images").resolve(file)).filter(Files::isRegularFile);
        assumeTrue(shared.isPresent(), "shared images not available");
        Run r = Run.of("predict", "--model", MODEL, "--image", shared.get().toString(), "--top", "2");
        assertEquals(0, r.code(), r.toString());
        assertEquals(expected, top1(r), r.out());
    }

    @Test
    void infoListsTheFireModulesAndMarksTheGradCamLayer() {
        Run r = Run.of("info", "--model", MODEL);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("input     input [batch, 3, 224, 224]"), r.out());
        assertTrue(r.out().contains("output    logits [batch, 1000]"), r.out());
        assertTrue(r.out().contains("pytorch") && r.out().contains("opset 13"), r.out());
        assertTrue(r.out().contains("fire9"), r.out());
        assertTrue(r.out().contains("<- default Grad-CAM layer"), r.out());
    }

    @Test
    void explainWritesAPngAndAnAttributionOfTheInputShape() throws IOException {
        Path png = dir.resolve("map.png");
        Path over = dir.resolve("over.png");
        Path npy = dir.resolve("a.npy");
        Run r = Run.of("explain", "--model", MODEL, "--image", IMAGES.resolve("husky.jpg").toString(), "--method",
                "saliency", "--target", "Siberian husky", "--out", png.toString(), "--overlay", over.toString(),
                "--npy", npy.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Backprop for Siberian husky (250)"), r.out());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(224, img.getWidth());
        assertTrue(img.getHeight() > 224);
        assertArrayEquals(new int[] {1, 3, 224, 224}, Npy.read(npy).shape());
        BufferedImage o = ImageIO.read(over.toFile());
        assertTrue(o.getWidth() > 0 && o.getHeight() > 0);
    }

    @Test
    void compareDrawsTheLectureLayout() throws IOException {
        Path png = dir.resolve("panel.png");
        Run r = Run.of("compare", "--model", MODEL, "--image", IMAGES.resolve("husky.jpg").toString(), "--out", png.toString());
        assertEquals(0, r.code(), r.toString());
        BufferedImage p = ImageIO.read(png.toFile());
        assertTrue(p.getWidth() >= 4 * 224, "image + 3 maps side by side: " + p.getWidth());
    }

    /** The lecture's point on a real model: guided backprop barely changes with the class, Grad-CAM does. */
    @Test
    void guidedBackpropIsLessClassDiscriminativeThanGradCamOnTheCatAndPoodle() throws IOException {
        Path png = dir.resolve("discrimination.png");
        Run r = Run.of("compare", "--model", MODEL, "--image", IMAGES.resolve("cats_and_dogs.jpg").toString(),
                "--crop", "left", "--target", "tabby cat", "--vs", "toy poodle",
                "--methods", "guided-backprop,gradcam", "--layer", "/fire9/Concat_output_0", "--out", png.toString());
        assertEquals(0, r.code(), r.toString());
        double guided = rho(r.out(), "Guided Backprop");
        double cam = rho(r.out(), "Grad-CAM");
        assertTrue(guided > 0.9, "guided backprop maps for cat and poodle should be nearly the same: " + r.out());
        assertTrue(cam < guided - 0.1, "Grad-CAM should separate the classes more than guided backprop: " + r.out());
        BufferedImage p = ImageIO.read(png.toFile());
        assertTrue(p.getWidth() >= 3 * 224 && p.getHeight() >= 2 * 224, "two rows of image + 2 maps: " + p.getWidth() + "x" + p.getHeight());
    }

    private static double rho(String out, String method) {
        return Arrays.stream(out.split("\n")).filter(l -> l.strip().startsWith(method + " ") && l.contains("rho"))
                .map(l -> Double.parseDouble(l.substring(l.indexOf("rho") + 3).strip())).findFirst()
                .orElseThrow(() -> new AssertionError("no rho for " + method + " in:\n" + out));
    }

    @Test
    void aCropOutsideThePhotoIsAUsageError() {
        Run r = Run.of("predict", "--model", MODEL, "--image", IMAGES.resolve("husky.jpg").toString(), "--crop", "0,0,5000,10");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("does not fit inside"), r.err());
    }

    @Test
    void anUnknownClassNameListsCloseMatches() {
        Run r = Run.of("explain", "--model", MODEL, "--image", IMAGES.resolve("husky.jpg").toString(), "--method",
                "saliency", "--target", "siberian huskie");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("loupe: error: unknown class 'siberian huskie'") && r.err().contains("Siberian husky (250)"), r.err());
    }
}
