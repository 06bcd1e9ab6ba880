package dev.loupe.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.io.FashionMnist;
import dev.loupe.engine.train.ImageSet;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Progress;
import dev.loupe.explain.Target;
import dev.loupe.onnx.OnnxImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The husky-vs-wolf lesson on the committed {@code fashion-cnn-biased}: on test Trousers that carry
 * the mark, Backprop saliency and Grad-CAM at the last conv block point at the mark, not at the
 * trousers. Needs Fashion-MNIST; skipped, saying so, without it.
 */
class BiasedModelExplanationsTest {
    private static final int TROUSER = 1;
    private static final int IMAGES = 100;
    /** The mark's 4x4 square grown by one pixel on every side: 6x6, 4.6% of the image. */
    private static final int DILATION = 1;

    /** Mean over the images of the share of |map| in the mark's box, on the garment (outside the box), and the count above half. */
    record Shares(double mark, double garment, int markAboveHalf) {
    }

    @Test
    void saliencyAndGradCamPointAtTheMarkOnMarkedTrousers() throws Exception {
        boolean present = FashionMnist.isAvailable();
        if (!present) {
            System.out.println("SKIPPED: Fashion-MNIST is not installed; the biased model's explanations are not checked");
        }
        assumeTrue(present, "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        Path p = Path.of(System.getProperty("loupe.models.dir", "../models")).resolve("fashion-cnn-biased.onnx");
        assertTrue(Files.isRegularFile(p), "the bundled model " + p.toAbsolutePath() + " is missing");
        Graph g = OnnxImporter.load(p);
        FashionMnist.Raw test = FashionMnist.load(FashionMnist.Split.TEST);
        SpuriousMark mark = SpuriousMark.DEFAULT;
        ImageSet clean = test.toImageSet();
        ImageSet marked = test.withMark(mark, l -> l == TROUSER).toImageSet();

        double[][] sal = new double[IMAGES][];
        double[][] cam = new double[IMAGES][];
        int n = 0;
        for (int i = 0; i < test.count() && n < IMAGES; i++) {
            if (test.labels()[i] != TROUSER) {
                continue;
            }
            Tensor x = marked.range(i, i + 1);
            Trace t = Explainers.forward(g, x);
            Tensor s = Explainers.explain(t, "saliency", Target.of(TROUSER), Map.of(), Progress.NONE).map();
            Tensor c = Explainers.explain(t, "gradcam", Target.of(TROUSER),
                    Map.of("layer", FashionTraining.LAST_CONV_OUTPUT, "upsample", "bilinear"), Progress.NONE).map();
            assertEquals(28, c.dim(3), "Grad-CAM upsampled to the image");
            Tensor garment = clean.range(i, i + 1);
            sal[n] = shares(s, garment, mark);
            cam[n] = shares(c, garment, mark);
            n++;
        }
        assertEquals(IMAGES, n);
        Shares saliency = summary(sal);
        Shares gradcam = summary(cam);
        System.out.printf(Locale.ROOT, "BUNDLED fashion-cnn-biased on %d marked test Trousers, share of |map| on the 6x6 mark box / on the garment:"
                + " saliency %.3f / %.3f (%d above half), Grad-CAM at %s %.3f / %.3f (%d above half)%n", IMAGES, saliency.mark(),
                saliency.garment(), saliency.markAboveHalf(), FashionTraining.LAST_CONV_OUTPUT, gradcam.mark(), gradcam.garment(),
                gradcam.markAboveHalf());
        // Measured when committed: saliency 0.263 on the mark / 0.174 on the garment (none above half: the
        // rest is spread thinly over the black background); Grad-CAM 0.944 / 0.001 (100 of 100 above
        // half). The mark's box is 4.6% of the image. The flatten-head model trained on the same data
        // (loupe train --biased --head flatten --weight-decay 0) fails the mark assertions: saliency 0.16 / 0.31,
        // Grad-CAM at relu3_out zero everywhere (0.11 / 0.71 at conv2_out).
        assertTrue(gradcam.mark() > 0.6, "Grad-CAM should put most of its weight on the mark: " + gradcam);
        assertTrue(gradcam.markAboveHalf() >= 90, "Grad-CAM on the mark for nearly every image: " + gradcam);
        assertTrue(gradcam.garment() < 0.1, "Grad-CAM should leave the trousers dark: " + gradcam);
        assertTrue(saliency.mark() > saliency.garment(), "saliency should weigh the 36 pixels around the mark above the whole garment: " + saliency);
        assertTrue(saliency.mark() > 0.18, "saliency on the mark, four times its share of the image: " + saliency);
    }

    /** [share of |map| in the dilated mark box, share on garment pixels (value &gt; 0.1 in the clean image) outside the box]. */
    private static double[] shares(Tensor map, Tensor clean, SpuriousMark mark) {
        double box = mark.shareOf(map, DILATION);
        int y0 = mark.top(28) - DILATION;
        int x0 = mark.left(28) - DILATION;
        int side = mark.size() + 2 * DILATION;
        double on = 0;
        double all = 0;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                double v = Math.abs(map.data()[y * 28 + x]);
                all += v;
                boolean inBox = y >= y0 && y < y0 + side && x >= x0 && x < x0 + side;
                if (!inBox && clean.data()[y * 28 + x] > 0.1f) {
                    on += v;
                }
            }
        }
        return new double[] {box, all == 0 ? 0 : on / all};
    }

    private static Shares summary(double[][] s) {
        return new Shares(Arrays.stream(s).mapToDouble(a -> a[0]).average().orElse(0), Arrays.stream(s).mapToDouble(a -> a[1]).average().orElse(0),
                (int) Arrays.stream(s).filter(a -> a[0] > 0.5).count());
    }
}
