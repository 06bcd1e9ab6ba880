package dev.loupe.engine.ops;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.FusesRelu;
import dev.loupe.engine.Op;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.DepthwiseConv;
import dev.loupe.engine.kernels.FewChannelConv;
import dev.loupe.engine.kernels.FewChannelGrad;
import dev.loupe.engine.kernels.Gemm;
import dev.loupe.engine.kernels.Im2col;
import dev.loupe.engine.kernels.Scratch;
import dev.loupe.engine.kernels.Window2d;
import dev.loupe.engine.kernels.Winograd;
import java.util.Arrays;

/**
 * 2-D convolution (ONNX Conv, NCHW): inputs X, W {@code [M, C/group, kh, kw]} and optional bias B
 * {@code [M]}. Each (image, group) is an im2col followed by a GEMM; groups with one input channel
 * (depthwise) use a direct kernel.
 *
 * <p>Backward gives the gradient for X and, when asked through {@code needInputGrad} (training), for
 * W and B. {@code Trace.backward} asks for a weight's gradient only when the weight's tensor is a
 * {@code wrt} target, so explanation passes never pay for it.
 */
public final class Conv implements Op, FusesRelu {
    /** Chunks of images for the weight gradient (see {@link #gemmBackwardWeight}). */
    static final int WEIGHT_GRAD_CHUNKS = 8;

    private final int group;
    private final WindowAttrs window;

    public Conv(int group, WindowAttrs window) {
        if (group < 1) {
            throw new UnsupportedOpException("Conv group must be >= 1, got " + group);
        }
        this.group = group;
        this.window = window;
    }

    static Conv fromAttributes(Attributes a) {
        return new Conv(a.getInt("group", 1), WindowAttrs.from("Conv", a, false));
    }

    @Override
    public String type() {
        return "Conv";
    }

    public int group() {
        return group;
    }

    public WindowAttrs window() {
        return window;
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex >= 0 && inputIndex <= 2;
    }

    /** Each image's output is its own input correlated with fixed weights, plus a fixed bias. */
    @Override
    public boolean isAffinePerItem() {
        return true;
    }

    /**
     * The output shape {@code [N, M, oh, ow]} for an input and weight shape, checking that they fit.
     *
     * @throws ShapeMismatchException when channels, group or kernel disagree
     */
    public int[] outputShape(int[] xShape, int[] wShape) {
        Window2d g = geometry(xShape, wShape);
        return new int[] {xShape[0], wShape[0], g.oh(), g.ow()};
    }

    private Window2d geometry(int[] xs, int[] ws) {
        if (xs.length != 4) {
            throw new UnsupportedOpException("Conv supports 2-D images (rank-4 NCHW input) only, got input shape " + Arrays.toString(xs));
        }
        if (ws.length != 4) {
            throw new ShapeMismatchException("Conv weight must be [M, C/group, kh, kw], got " + Arrays.toString(ws));
        }
        if (xs[1] != ws[1] * group) {
            throw new ShapeMismatchException("Conv input has " + xs[1] + " channels but the weight " + Arrays.toString(ws)
                    + " with group " + group + " expects " + ws[1] + " x " + group + " = " + ws[1] * group);
        }
        if (ws[0] % group != 0) {
            throw new ShapeMismatchException("Conv weight has " + ws[0] + " output channels, not a multiple of group " + group);
        }
        int[] k = window.kernelShape();
        if (k != null && (k[0] != ws[2] || k[1] != ws[3])) {
            throw new ShapeMismatchException("Conv kernel_shape " + Arrays.toString(k) + " differs from the weight's "
                    + Arrays.toString(new int[] {ws[2], ws[3]}));
        }
        return window.resolve(xs[2], xs[3], ws[2], ws[3]);
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor y = compute(inputs, false);
        saved.put(inputs[1], geometry(inputs[0].shape(), inputs[1].shape()), inputs[0].shape(), inputs[0]);
        return new Tensor[] {y};
    }

    /** {@code max(conv(x, w) + b, 0)}: the Winograd path applies it in its inverse transform. */
    @Override
    public Tensor forwardWithRelu(Tensor[] inputs) {
        return compute(inputs, true);
    }

    private Tensor compute(Tensor[] inputs, boolean relu) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        Tensor b = inputs.length > 2 ? inputs[2] : null;
        int[] xs = x.shape();
        int[] ws = w.shape();
        Window2d g = geometry(xs, ws);
        int n = xs[0];
        int c = xs[1];
        int m = ws[0];
        if (b != null && b.size() != m) {
            throw new ShapeMismatchException("Conv bias has shape " + Arrays.toString(b.shape()) + " but the weight has " + m
                    + " output channels");
        }
        float[] bias = b == null ? null : b.data();
        float[] y = Buffers.output(n * m * g.outPlane());
        if (ws[1] == 1) {
            DepthwiseConv.forward(x.data(), n, c, m / c, g, w.data(), bias, y);
            if (relu) {
                Relu.inPlace(y);
            }
        } else if (FewChannelConv.applies(g, c, group)) {
            FewChannelConv.forward(x.data(), n, c, m, w.data(), bias, relu, g, y);
        } else if (Winograd.applies(g, c, m, group)) {
            Winograd.forward(x.data(), n, c, m, w.data(), bias, g, relu, y);
        } else {
            gemmForward(x.data(), n, c, m, w.data(), bias, relu, g, y);
        }
        return new Tensor(new int[] {n, m, g.oh(), g.ow()}, y);
    }

    /** y = conv(x, w) (+ bias per output channel, then max(., 0) when relu, both as the GEMM stores its tiles). y modified. */
    private void gemmForward(float[] x, int n, int c, int m, float[] w, float[] bias, boolean relu, Window2d g, float[] y) {
        int cg = c / group;
        int mg = m / group;
        int kdim = cg * g.kh() * g.kw();
        int np = g.outPlane();
        Parallel.RangeBody body = (from, to) -> {
            for (int t = from; t < to; t++) {
                int img = t / group;
                int gr = t % group;
                int xOff = (img * c + gr * cg) * g.inPlane();
                float[] scratch = null;
                Gemm.PanelSource source;
                if (g.isPointwise()) {
                    source = Gemm.storedB(x, xOff, np);
                } else if (Im2col.subsampling(g)) {
                    // Strided 1x1: the sampled pixels are read straight into the panels.
                    source = (p0, kc, j0, j1, nr, dst) -> Im2col.packSubsampled(x, xOff, g, p0, kc, j0, j1, nr, dst);
                } else if (Im2col.shiftable(g) && g.sh() == 1 && g.sw() == 1) {
                    // Each panel row is one shifted run of the input plane.
                    source = (p0, kc, j0, j1, nr, dst) -> Im2col.packShifted(x, xOff, g, p0, kc, j0, j1, nr, dst);
                } else if (Im2col.shiftable(g)) {
                    // Strided: split rows and columns into phases once (one pass over the input),
                    // after which every tap is again a shifted run.
                    float[] phased = scratch = Scratch.take(Im2col.phasedSize(cg, g));
                    Im2col.splitPhases2d(x, xOff, cg, g, phased);
                    source = (p0, kc, j0, j1, nr, dst) -> Im2col.packShifted(phased, 0, g, p0, kc, j0, j1, nr, dst);
                } else if (g.sw() == 1) {
                    // im2col straight into the GEMM's packed layout: no column matrix.
                    source = (p0, kc, j0, j1, nr, dst) -> Im2col.pack(x, xOff, g, false, p0, kc, j0, j1, nr, dst);
                } else {
                    // Strided: split the columns into phases once (one pass over the input), so the
                    // kh*kw-fold reads of packing are contiguous.
                    float[] split = scratch = Scratch.take(cg * g.h() * g.sw() * Im2col.phaseWidth(g));
                    Im2col.splitPhases(x, xOff, cg, g, split);
                    source = (p0, kc, j0, j1, nr, dst) -> Im2col.pack(split, 0, g, true, p0, kc, j0, j1, nr, dst);
                }
                Gemm.sgemmConstantA(mg, np, kdim, w, gr * mg * kdim, kdim, source, y, (img * m + gr * mg) * np, np,
                        bias, gr * mg, relu);
                if (scratch != null) {
                    Scratch.give(scratch);
                }
            }
        };
        runTasks(n * group, body);
    }

    /**
     * With enough (image, group) tasks, tasks run side by side, one per chunk, each kernel inline;
     * the tasks beyond a multiple of the thread count then run in turn with each kernel parallel
     * inside, so no thread waits out another's last image. With few tasks, all run that way.
     * (Chunks of one or two images, as a default split of ten gave, left a thread idle for 13-16 %
     * of these convolutions' time at batch 10.)
     */
    private static void runTasks(int tasks, Parallel.RangeBody body) {
        int threads = Parallel.threads();
        if (tasks >= 2 * threads) {
            int whole = tasks - tasks % threads;
            Parallel.forRange(whole, 1, whole, body);
            body.run(whole, tasks);
        } else {
            body.run(0, tasks);
        }
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor[] result = new Tensor[needInputGrad.length];
        if (gradOutputs[0] == null) {
            return result;
        }
        Tensor w = saved.tensor(0);
        Window2d g = saved.get(1);
        int[] xs = saved.get(2);
        int n = xs[0];
        int c = xs[1];
        int m = w.dim(0);
        float[] gy = gradOutputs[0].data();
        if (needInputGrad[0]) {
            // Every path writes every element (col2im's tasks zero their own slices first).
            float[] gx = Buffers.output(n * c * g.inPlane());
            if (w.dim(1) == 1) {
                DepthwiseConv.backwardData(gy, n, c, m / c, g, w.data(), gx);
            } else {
                gemmBackwardData(gy, n, c, m, w.data(), g, gx);
            }
            result[0] = new Tensor(xs, gx);
        }
        if (needInputGrad.length > 1 && needInputGrad[1]) {
            Tensor x = saved.tensor(3);
            result[1] = new Tensor(w.shape(), gemmBackwardWeight(x.data(), gy, n, c, m, g));
        }
        if (needInputGrad.length > 2 && needInputGrad[2]) {
            float[] gb = new float[m];
            int np = g.outPlane();
            for (int img = 0; img < n; img++) {
                for (int oc = 0; oc < m; oc++) {
                    double sum = 0;
                    for (int p = (img * m + oc) * np, e = p + np; p < e; p++) {
                        sum += gy[p];
                    }
                    gb[oc] += (float) sum;
                }
            }
            result[2] = new Tensor(new int[] {m}, gb);
        }
        return result;
    }

    /**
     * dW_g = sum over images of dY_g . im2col(X_g)^T, for every group (depthwise included, as
     * groups of one channel). Images are split into at most {@link #WEIGHT_GRAD_CHUNKS} fixed
     * chunks, each summing into its own buffer, and the buffers are added in chunk order: the
     * result depends neither on timing nor on the thread count, which keeps training reproducible.
     */
    private float[] gemmBackwardWeight(float[] x, float[] gy, int n, int c, int m, Window2d g) {
        int cg = c / group;
        int mg = m / group;
        int kdim = cg * g.kh() * g.kw();
        int np = g.outPlane();
        boolean pointwise = g.isPointwise();
        int chunks = Math.max(1, Math.min(n, WEIGHT_GRAD_CHUNKS));
        float[][] partial = new float[chunks][];
        Parallel.forEach(chunks, chunk -> {
            float[] dw = new float[m * kdim];
            float[] col = pointwise ? null : Scratch.take(kdim * np);
            int from = (int) ((long) n * chunk / chunks);
            int to = (int) ((long) n * (chunk + 1) / chunks);
            for (int img = from; img < to; img++) {
                for (int gr = 0; gr < group; gr++) {
                    int xOff = (img * c + gr * cg) * g.inPlane();
                    float[] src = x;
                    int srcOff = xOff;
                    if (!pointwise) {
                        Im2col.im2col(x, xOff, cg, g, col, 0);
                        src = col;
                        srcOff = 0;
                    }
                    Gemm.sgemm(false, true, mg, kdim, np, 1f, gy, (img * m + gr * mg) * np, np, src, srcOff, np,
                            1f, dw, gr * mg * kdim, kdim);
                }
            }
            Scratch.give(col);
            partial[chunk] = dw;
        });
        float[] dw = partial[0];
        for (int k = 1; k < chunks; k++) {
            float[] p = partial[k];
            for (int i = 0; i < dw.length; i++) {
                dw[i] += p[i];
            }
        }
        return dw;
    }

    /**
     * dX = col2im(W_g^T . dY_g) for every (image, group). A stride-1 convolution's input gradient
     * is itself a convolution (of dY with the weights flipped in space and transposed in channels,
     * padded by the kernel's extent less the forward pads), so it runs on the forward path's
     * packing and GEMM instead of a column matrix and col2im. Inputs of at most three channels (an
     * image's) take {@link FewChannelGrad}, which needs neither.
     */
    private void gemmBackwardData(float[] gy, int n, int c, int m, float[] w, Window2d g, float[] gx) {
        if (FewChannelGrad.applies(g, c, group)) {
            FewChannelGrad.backwardData(gy, n, c, m, w, g, gx);
            return;
        }
        Window2d flipped = transposedGeometry(g);
        if (flipped != null && !g.isPointwise()) {
            backwardDataAsConvolution(gy, n, c, m, w, g, flipped, gx);
            return;
        }
        int cg = c / group;
        int mg = m / group;
        int kdim = cg * g.kh() * g.kw();
        int np = g.outPlane();
        boolean pointwise = g.isPointwise();
        Parallel.RangeBody body = (from, to) -> {
            float[] col = pointwise ? null : Scratch.take(kdim * np);
            for (int t = from; t < to; t++) {
                int img = t / group;
                int gr = t % group;
                int xOff = (img * c + gr * cg) * g.inPlane();
                int yOff = (img * m + gr * mg) * np;
                if (pointwise) {
                    // Each (image, group) owns its slice of gx, so the GEMM can write it directly.
                    Gemm.sgemmConstantA(true, false, kdim, np, mg, 1f, w, gr * mg * kdim, kdim, gy, yOff, np, 0f, gx, xOff, np);
                } else {
                    Gemm.sgemmConstantA(true, false, kdim, np, mg, 1f, w, gr * mg * kdim, kdim, gy, yOff, np, 0f, col, 0, np);
                    // col2im adds into its slice of gx: zeroed here, by the task that owns it, and
                    // not all at once on one thread beforehand (6 MB for conv1 at ten images).
                    java.util.Arrays.fill(gx, xOff, xOff + cg * g.inPlane(), 0f);
                    Im2col.col2im(col, 0, cg, g, gx, xOff);
                }
            }
            Scratch.give(col);
        };
        runTasks(n * group, body);
    }

    /**
     * The geometry of the stride-1 convolution that computes this one's input gradient from its
     * output gradient, or null when there is none (strided, or pads beyond the kernel's extent).
     */
    private static Window2d transposedGeometry(Window2d g) {
        if (g.sh() != 1 || g.sw() != 1) {
            return null;
        }
        int extentY = (g.kh() - 1) * g.dh();
        int extentX = (g.kw() - 1) * g.dw();
        int top = extentY - g.padTop();
        int left = extentX - g.padLeft();
        int bottom = extentY - g.padBottom();
        int right = extentX - g.padRight();
        if (top < 0 || left < 0 || bottom < 0 || right < 0) {
            return null;
        }
        Window2d t = Window2d.of(g.oh(), g.ow(), g.kh(), g.kw(), 1, 1, g.dh(), g.dw(), top, left, bottom, right, false);
        return t.oh() == g.h() && t.ow() == g.w() ? t : null;
    }

    /**
     * dX_g = conv(dY_g, W'_g) with {@code W'[ci][mi][ki][kj] = W[mi][ci][kh-1-ki][kw-1-kj]} (per group),
     * the rearranged weights made once per weight array. gx modified.
     */
    private void backwardDataAsConvolution(float[] gy, int n, int c, int m, float[] w, Window2d g, Window2d t, float[] gx) {
        int cg = c / group;
        int mg = m / group;
        int kh = g.kh();
        int kw = g.kw();
        int taps = kh * kw;
        int kdim = mg * taps;
        float[] wt = Gemm.derivedConstant(w, "conv-backward-data/" + group, () -> {
            float[] r = new float[c * kdim];
            for (int gr = 0; gr < group; gr++) {
                for (int mi = 0; mi < mg; mi++) {
                    for (int ci = 0; ci < cg; ci++) {
                        int src = ((gr * mg + mi) * cg + ci) * taps;
                        int dst = ((gr * cg + ci) * mg + mi) * taps;
                        for (int tap = 0; tap < taps; tap++) {
                            r[dst + taps - 1 - tap] = w[src + tap];
                        }
                    }
                }
            }
            return r;
        });
        if (Winograd.applies(t, m, c, group)) {
            Winograd.forward(gy, n, m, c, wt, null, t, gx);
            return;
        }
        int np = g.outPlane();
        int inPlane = g.inPlane();
        Parallel.RangeBody body = (from, to) -> {
            for (int task = from; task < to; task++) {
                int img = task / group;
                int gr = task % group;
                int yOff = (img * m + gr * mg) * np;
                int xOff = (img * c + gr * cg) * inPlane;
                Gemm.PanelSource source = Im2col.shiftable(t)
                        ? (p0, kc, j0, j1, nr, dst) -> Im2col.packShifted(gy, yOff, t, p0, kc, j0, j1, nr, dst)
                        : (p0, kc, j0, j1, nr, dst) -> Im2col.pack(gy, yOff, t, false, p0, kc, j0, j1, nr, dst);
                Gemm.sgemmConstantA(cg, inPlane, kdim, wt, gr * cg * kdim, kdim, source, gx, xOff, inPlane);
            }
        };
        runTasks(n * group, body);
    }
}
