package dev.loupe.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.Window2d;
import dev.loupe.engine.kernels.Winograd;
import dev.loupe.engine.testing.GradCheck;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConvTest {
    /** Direct nested-loop convolution in double: the reference the fast paths must match. */
    static float[] naiveConv(Tensor x, Tensor w, Tensor b, int group, int[] s, int[] d, int[] p, int oh, int ow) {
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int wd = x.dim(3);
        int m = w.dim(0);
        int cg = w.dim(1);
        int kh = w.dim(2);
        int kw = w.dim(3);
        int mg = m / group;
        float[] y = new float[n * m * oh * ow];
        for (int img = 0; img < n; img++) {
            for (int oc = 0; oc < m; oc++) {
                int gr = oc / mg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = b == null ? 0 : b.data()[oc];
                        for (int ci = 0; ci < cg; ci++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy * s[0] - p[0] + i * d[0];
                                    int ix = ox * s[1] - p[1] + j * d[1];
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                        sum += (double) x.get(img, gr * cg + ci, iy, ix) * w.get(oc, ci, i, j);
                                    }
                                }
                            }
                        }
                        y[((img * m + oc) * oh + oy) * ow + ox] = (float) sum;
                    }
                }
            }
        }
        return y;
    }

    private static Tensor run(Conv conv, Tensor... in) {
        return conv.forward(in, new Saved())[0];
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), what + " at " + i);
        }
    }

    /** One random case: output checked against the naive conv with the same explicit pads. */
    private static void checkAgainstNaive(Random rnd, int n, int c, int h, int w, int m, int group, int kh, int kw,
            int[] s, int[] d, int[] p, boolean bias) {
        Tensor x = GradCheck.random(rnd, n, c, h, w);
        Tensor wt = GradCheck.random(rnd, m, c / group, kh, kw);
        Tensor b = bias ? GradCheck.random(rnd, m) : null;
        Conv conv = new Conv(group, WindowAttrs.of(null, s, p).withDilations(d));
        Tensor y = bias ? run(conv, x, wt, b) : run(conv, x, wt);
        int oh = (h + p[0] + p[2] - ((kh - 1) * d[0] + 1)) / s[0] + 1;
        int ow = (w + p[1] + p[3] - ((kw - 1) * d[1] + 1)) / s[1] + 1;
        assertArrayEquals(new int[] {n, m, oh, ow}, y.shape());
        String what = "n" + n + " c" + c + " " + h + "x" + w + " m" + m + " g" + group + " k" + kh + "x" + kw;
        assertClose(naiveConv(x, wt, b, group, s, d, p, oh, ow), y.data(), what);
    }

    @Test
    void forwardMatchesNaiveOnRandomShapes() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 40; trial++) {
            int group = 1 + rnd.nextInt(3);
            int cg = 1 + rnd.nextInt(3);
            int mg = 1 + rnd.nextInt(3);
            int kh = 1 + rnd.nextInt(3);
            int kw = 1 + rnd.nextInt(3);
            int[] s = {1 + rnd.nextInt(3), 1 + rnd.nextInt(3)};
            int[] d = {1 + rnd.nextInt(2), 1 + rnd.nextInt(2)};
            int[] p = {rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3)};
            int h = (kh - 1) * d[0] + 1 + rnd.nextInt(6);
            int w = (kw - 1) * d[1] + 1 + rnd.nextInt(6);
            checkAgainstNaive(rnd, 1 + rnd.nextInt(2), cg * group, h, w, mg * group, group, kh, kw, s, d, p, rnd.nextBoolean());
        }
    }

    @Test
    void forwardEdgeSizes() {
        Random rnd = new Random(12);
        // 1x1 image with 1x1 kernel (pointwise path, no im2col).
        checkAgainstNaive(rnd, 2, 3, 1, 1, 4, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, new int[4], true);
        // 1x1 image with a 3x3 kernel and pad 1: only the centre tap sees the pixel.
        checkAgainstNaive(rnd, 1, 2, 1, 1, 3, 1, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, false);
        // Kernel as large as the image: one output per channel (a dense layer).
        checkAgainstNaive(rnd, 2, 4, 5, 7, 3, 1, 5, 7, new int[] {1, 1}, new int[] {1, 1}, new int[4], true);
        // Odd strides larger than the kernel skip pixels.
        checkAgainstNaive(rnd, 1, 2, 9, 8, 2, 1, 2, 2, new int[] {3, 5}, new int[] {1, 1}, new int[] {0, 1, 2, 0}, true);
        // Pointwise grouped conv and a wide output to cross GEMM tiles (more than 256 columns).
        checkAgainstNaive(rnd, 1, 8, 20, 20, 8, 2, 1, 1, new int[] {1, 1}, new int[] {1, 1}, new int[4], true);
        checkAgainstNaive(rnd, 1, 6, 23, 19, 40, 1, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, true);
    }

    @Test
    void depthwiseMatchesNaive() {
        Random rnd = new Random(13);
        // MobileNetV2-style 3x3 depthwise, stride 1 and 2, and a channel multiplier of 2.
        checkAgainstNaive(rnd, 2, 6, 9, 9, 6, 6, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, true);
        checkAgainstNaive(rnd, 1, 5, 10, 7, 5, 5, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1, 1, 1}, false);
        checkAgainstNaive(rnd, 1, 3, 8, 8, 6, 3, 3, 2, new int[] {1, 2}, new int[] {2, 1}, new int[] {0, 2, 1, 0}, true);
    }

    @Test
    void autoPadSameUpperAndLower() {
        Random rnd = new Random(14);
        Tensor x = GradCheck.random(rnd, 1, 2, 6, 5);
        Tensor w = GradCheck.random(rnd, 3, 2, 3, 3);
        WindowAttrs base = WindowAttrs.of(null, new int[] {2, 2}, new int[4]);
        // H=6, stride 2: out 3, total pad (3-1)*2+3-6 = 1. W=5: out 3, total pad 2.
        Tensor upper = run(new Conv(1, base.withAutoPad(AutoPad.SAME_UPPER)), x, w);
        Tensor lower = run(new Conv(1, base.withAutoPad(AutoPad.SAME_LOWER)), x, w);
        Tensor valid = run(new Conv(1, base.withAutoPad(AutoPad.VALID)), x, w);
        assertArrayEquals(new int[] {1, 3, 3, 3}, upper.shape());
        assertClose(naiveConv(x, w, null, 1, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 1, 1, 1}, 3, 3), upper.data(), "SAME_UPPER");
        assertClose(naiveConv(x, w, null, 1, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1, 0, 1}, 3, 3), lower.data(), "SAME_LOWER");
        assertArrayEquals(new int[] {1, 3, 2, 2}, valid.shape());
        assertClose(naiveConv(x, w, null, 1, new int[] {2, 2}, new int[] {1, 1}, new int[4], 2, 2), valid.data(), "VALID");
    }

    @Test
    void fromAttributesReadsOnnxNames() {
        Conv conv = (Conv) OpFactory.create("Conv", "c1", Attributes.of("group", 2, "strides", new int[] {2, 1},
                "pads", new int[] {1, 0, 1, 0}, "dilations", new int[] {1, 2}, "kernel_shape", new int[] {3, 3}));
        assertEquals(2, conv.group());
        assertArrayEquals(new int[] {1, 0, 1, 0}, conv.window().pads());
        assertArrayEquals(new int[] {1, 4, 4, 4}, conv.outputShape(new int[] {1, 4, 7, 8}, new int[] {4, 2, 3, 3}));
    }

    @Test
    void channelMismatchSaysWhatWasExpected() {
        Conv conv = new Conv(2, WindowAttrs.of(null, new int[] {1, 1}, new int[4]));
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> run(conv, Tensor.zeros(1, 6, 4, 4), Tensor.zeros(4, 2, 3, 3)));
        assertTrue(e.getMessage().contains("6 channels") && e.getMessage().contains("2 x 2 = 4"), e.getMessage());
        assertThrows(UnsupportedOpException.class, () -> run(conv, Tensor.zeros(1, 4, 5), Tensor.zeros(4, 2, 3)));
        assertThrows(UnsupportedOpException.class,
                () -> OpFactory.create("Conv", "c", Attributes.of("strides", new int[] {1, 1, 1})));
    }

    private static void gradCheck(long seed, int n, int c, int h, int w, int m, int group, int kh, int kw, WindowAttrs attrs, boolean bias) {
        Random rnd = new Random(seed);
        Conv conv = new Conv(group, attrs);
        Tensor x = GradCheck.random(rnd, n, c, h, w);
        Tensor wt = GradCheck.random(rnd, m, c / group, kh, kw);
        if (bias) {
            GradCheck.check(conv, x, wt, GradCheck.random(rnd, m));
        } else {
            GradCheck.check(conv, x, wt);
        }
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        int[] one = {1, 1};
        // Plain 3x3 with bias.
        gradCheck(1, 2, 3, 5, 5, 4, 1, 3, 3, WindowAttrs.of(null, one, new int[] {1, 1, 1, 1}), true);
        // Groups, stride 2, asymmetric pads.
        gradCheck(2, 1, 4, 7, 6, 6, 2, 3, 2, WindowAttrs.of(null, new int[] {2, 2}, new int[] {0, 1, 2, 1}), true);
        // Dilation 2.
        gradCheck(3, 1, 2, 7, 7, 3, 1, 3, 3, WindowAttrs.of(null, one, new int[] {2, 1, 0, 2}).withDilations(2, 2), false);
        // auto_pad SAME_UPPER with stride 2 on an even size (asymmetric padding).
        gradCheck(4, 1, 2, 6, 6, 2, 1, 3, 3, WindowAttrs.of(null, new int[] {2, 2}, new int[4]).withAutoPad(AutoPad.SAME_UPPER), true);
        // Depthwise, with and without a channel multiplier.
        gradCheck(5, 2, 3, 6, 5, 3, 3, 3, 3, WindowAttrs.of(null, new int[] {2, 1}, new int[] {1, 1, 1, 1}), true);
        gradCheck(6, 1, 2, 5, 5, 4, 2, 3, 3, WindowAttrs.of(null, one, new int[] {1, 0, 0, 1}).withDilations(1, 2), false);
        // Pointwise (1x1, no im2col).
        gradCheck(7, 1, 4, 3, 3, 2, 2, 1, 1, WindowAttrs.of(null, one, new int[4]), true);
        // Stride 1 with groups: the input gradient runs as a convolution with flipped weights.
        gradCheck(9, 2, 4, 6, 5, 6, 2, 3, 2, WindowAttrs.of(null, one, new int[] {1, 0, 2, 1}), false);
        // Pads beyond the kernel's extent (no flipped convolution exists): the col2im path.
        gradCheck(10, 1, 2, 4, 4, 3, 1, 3, 3, WindowAttrs.of(null, one, new int[] {3, 1, 0, 2}), false);
        gradCheck(11, 1, 2, 4, 4, 3, 1, 1, 1, WindowAttrs.of(null, one, new int[] {1, 0, 0, 1}), false);
    }

    /**
     * Images of a batch run side by side and the ones beyond a multiple of the thread count after
     * them, and col2im's tasks zero their own slice of the (recycled, here NaN-poisoned) gradient
     * array: every image's input gradient must be the one it gets alone. Five images, groups,
     * stride 2 (the col2im path) and a strided 1x1 (subsampled packing), under two threads.
     */
    @Test
    void inputGradientOfEachImageInABatchIsItsOwn() {
        int threads = dev.loupe.engine.Parallel.threads();
        dev.loupe.engine.Parallel.setThreads(2);
        try {
            Random rnd = new Random(21);
            WindowAttrs[] geometries = {WindowAttrs.of(null, new int[] {2, 2}, new int[] {1, 1, 1, 1}),
                WindowAttrs.of(null, new int[] {2, 2}, new int[4])};
            int[][] kernels = {{3, 3}, {1, 1}};
            for (int k = 0; k < geometries.length; k++) {
                Conv conv = new Conv(2, geometries[k]);
                int n = 5;
                Tensor x = GradCheck.random(rnd, n, 8, 13, 12);
                Tensor w = GradCheck.random(rnd, 16, 4, kernels[k][0], kernels[k][1]);
                Tensor[] alone = new Tensor[n];
                for (int img = 0; img < n; img++) {
                    Tensor xi = new Tensor(new int[] {1, 8, 13, 12}, java.util.Arrays.copyOfRange(x.data(), img * 8 * 156, (img + 1) * 8 * 156));
                    alone[img] = inputGradient(conv, xi, w, new Random(img));
                }
                try (dev.loupe.engine.Buffers.Scope scope = dev.loupe.engine.Buffers.recycling()) {
                    // A released array of the gradient's size, so the op gets a recycled (poisoned) one.
                    dev.loupe.engine.Buffers.release(dev.loupe.engine.Buffers.output(x.size()));
                    Saved saved = new Saved();
                    Tensor y = conv.forward(new Tensor[] {x, w}, saved)[0];
                    float[] gy = new float[y.size()];
                    int per = y.size() / n;
                    for (int img = 0; img < n; img++) {
                        Random r = new Random(img);
                        for (int i = 0; i < per; i++) {
                            gy[img * per + i] = (float) r.nextGaussian();
                        }
                    }
                    Tensor gx = conv.backward(saved, new Tensor[] {new Tensor(y.shape(), gy)}, new boolean[] {true, false})[0];
                    for (int img = 0; img < n; img++) {
                        float[] got = java.util.Arrays.copyOfRange(gx.data(), img * 8 * 156, (img + 1) * 8 * 156);
                        assertArrayEquals(alone[img].data(), got, 1e-5f, "kernel " + kernels[k][0] + " image " + img);
                    }
                }
            }
        } finally {
            dev.loupe.engine.Parallel.setThreads(threads);
        }
    }

    /** The input gradient of one image for an output gradient drawn from r. */
    private static Tensor inputGradient(Conv conv, Tensor x, Tensor w, Random r) {
        Saved saved = new Saved();
        Tensor y = conv.forward(new Tensor[] {x, w}, saved)[0];
        float[] gy = new float[y.size()];
        for (int i = 0; i < gy.length; i++) {
            gy[i] = (float) r.nextGaussian();
        }
        return conv.backward(saved, new Tensor[] {new Tensor(y.shape(), gy)}, new boolean[] {true, false})[0];
    }

    /** Large enough for the Vector API kernel: 16 output and 8 input channels over 12x13. */
    @Test
    void backwardOnTheFastPathMatchesFiniteDifferences() {
        gradCheck(12, 1, 8, 12, 13, 16, 1, 3, 3, WindowAttrs.of(null, new int[] {1, 1}, new int[] {1, 1, 1, 1}), true);
        gradCheck(13, 1, 8, 12, 13, 16, 1, 3, 3, WindowAttrs.of(null, new int[] {2, 2}, new int[] {1, 1, 1, 1}), false);
    }

    /**
     * 3x3 stride-1 convolutions with at least {@code Winograd.MIN_CHANNELS} channels run by
     * Winograd's F(2x2, 3x3): odd and even sizes (partial last tiles), a 1x1 image, asymmetric and
     * zero pads, several images, channel counts that are not multiples of the vector length.
     */
    @Test
    void winogradPathMatchesNaive() {
        Random rnd = new Random(14);
        int[] one = {1, 1};
        int[][] cases = {
            // n, c, h, w, m, pads (top, left, bottom, right), bias
            {2, 64, 5, 7, 64, 1, 1, 1, 1, 1},
            {1, 64, 1, 1, 72, 1, 1, 1, 1, 0},
            {1, 80, 8, 9, 64, 0, 2, 1, 0, 1},
            {3, 64, 6, 6, 64, 0, 0, 0, 0, 0},
            {1, 64, 3, 17, 65, 2, 2, 2, 2, 1},
            {1, 96, 19, 9, 70, 1, 1, 1, 1, 1},
        };
        for (int[] k : cases) {
            int[] p = {k[5], k[6], k[7], k[8]};
            Window2d g = Window2d.of(k[2], k[3], 3, 3, 1, 1, 1, 1, p[0], p[1], p[2], p[3], false);
            assertTrue(Winograd.applies(g, k[1], k[4], 1), "the case must take the Winograd path");
            // Larger batches take F(4x4, 3x3), checked in Winograd4Test to its own tolerance.
            assertFalse(Winograd.prefersF4(g, k[0]), "the case must take F(2x2, 3x3)");
            checkAgainstNaive(rnd, k[0], k[1], k[2], k[3], k[4], 1, 3, 3, one, one, p, k[9] == 1);
        }
    }

    /** The input gradient of a Winograd-sized convolution is itself a Winograd convolution. */
    @Test
    void winogradInputGradientMatchesFiniteDifferences() {
        Random rnd = new Random(15);
        for (int[] p : new int[][] {{1, 1, 1, 1}, {0, 2, 1, 0}}) {
            Conv conv = new Conv(1, WindowAttrs.of(null, new int[] {1, 1}, p));
            Tensor x = GradCheck.random(rnd, 2, 64, 4, 5);
            Tensor w = GradCheck.random(rnd, 64, 64, 3, 3);
            GradCheck.check(conv, 1e-2, 2e-2, new boolean[] {true, false, false}, x, w, GradCheck.random(rnd, 64));
        }
    }

    /**
     * At 16x16 the input gradient's convolution takes F(4x4, 3x3) (16 tiles); it is checked against
     * the definition {@code dX[c][iy][ix] = sum dY[m][oy][ox] W[m][c][iy - oy + pad][ix - ox + pad]}
     * in double, to a tolerance that scales with the magnitudes summed.
     */
    @Test
    void winogradF4InputGradientMatchesDefinition() {
        Random rnd = new Random(16);
        int c = 64;
        int m = 64;
        int h = 16;
        assertTrue(Winograd.prefersF4(Window2d.of(h, h, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false), 1));
        Conv conv = new Conv(1, WindowAttrs.of(null, new int[] {1, 1}, new int[] {1, 1, 1, 1}));
        Tensor x = GradCheck.random(rnd, 1, c, h, h);
        Tensor w = GradCheck.random(rnd, m, c, 3, 3);
        Saved saved = new Saved();
        conv.forward(new Tensor[] {x, w}, saved);
        Tensor gy = GradCheck.random(rnd, 1, m, h, h);
        Tensor gx = conv.backward(saved, new Tensor[] {gy}, new boolean[] {true, false})[0];
        double[] want = new double[c * h * h];
        double[] magnitude = new double[c * h * h];
        for (int oc = 0; oc < m; oc++) {
            for (int oy = 0; oy < h; oy++) {
                for (int ox = 0; ox < h; ox++) {
                    for (int ci = 0; ci < c; ci++) {
                        for (int i = 0; i < 3; i++) {
                            for (int j = 0; j < 3; j++) {
                                int iy = oy - 1 + i;
                                int ix = ox - 1 + j;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < h) {
                                    double term = (double) gy.get(0, oc, oy, ox) * w.get(oc, ci, i, j);
                                    want[(ci * h + iy) * h + ix] += term;
                                    magnitude[(ci * h + iy) * h + ix] += Math.abs(term);
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], gx.data()[i], 300 * Math.ulp(1f) * magnitude[i] + 1e-7, "dX at " + i);
        }
    }

    @Test
    void weightsAndBiasAreDifferentiableForTraining() {
        // backwardMatchesFiniteDifferences checks dW and dB too, since GradCheck probes every differentiable input.
        Conv conv = new Conv(1, WindowAttrs.of(null, new int[] {1, 1}, new int[4]));
        assertTrue(conv.isDifferentiable(0) && conv.isDifferentiable(1) && conv.isDifferentiable(2));
    }

    /** A batch larger than the weight-gradient chunk count, so several partial sums are added. */
    @Test
    void weightGradientOverManyImagesMatchesFiniteDifferences() {
        gradCheck(8, 11, 2, 5, 5, 3, 1, 3, 3, WindowAttrs.of(null, new int[] {1, 1}, new int[] {1, 1, 1, 1}), true);
    }

    /** Only the requested gradients are computed: weight gradients are absent unless asked for. */
    @Test
    void weightGradientsOnlyWhenAsked() {
        Random rnd = new Random(9);
        Conv conv = new Conv(1, WindowAttrs.of(null, new int[] {1, 1}, new int[] {1, 1, 1, 1}));
        Tensor[] in = {GradCheck.random(rnd, 2, 3, 5, 5), GradCheck.random(rnd, 4, 3, 3, 3), GradCheck.random(rnd, 4)};
        Saved saved = new Saved();
        Tensor y = conv.forward(in, saved)[0];
        Tensor[] onlyX = conv.backward(saved, new Tensor[] {GradCheck.random(rnd, y.shape())}, new boolean[] {true, false, false});
        assertTrue(onlyX[0] != null && onlyX[1] == null && onlyX[2] == null);
        Tensor[] onlyW = conv.backward(saved, new Tensor[] {GradCheck.random(rnd, y.shape())}, new boolean[] {false, true, true});
        assertTrue(onlyW[0] == null && onlyW[1] != null && onlyW[2] != null);
    }
}
