package dev.loupe.explain.perturbation;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Attributor;
import dev.loupe.explain.Images;
import dev.loupe.explain.Models;
import dev.loupe.explain.OrderedBatches;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Occlusion (Zeiler &amp; Fergus): slide a {@code window × window} patch over all channels at once,
 * replace it by the {@link Fill}, and record the drop of the target score; each pixel gets the mean
 * drop over the windows that cover it. This is Captum's {@code Occlusion} with
 * {@code sliding_window_shapes=(C, w, w)}, {@code strides=(C, s, s)} and the fill as baseline.
 *
 * <p>Window positions follow Captum 0.8 exactly: per axis {@code ceil((H - w) / s) + 1} windows
 * starting at {@code k·s}; when {@code s} does not divide {@code H - w} the last window sticks out
 * of the image and is cut at the border (Captum pads its mask with a negative amount). When it
 * divides, this equals {@code floor((H - w) / s) + 1}. As in Captum the stride may not exceed the
 * window (else some pixels would never be covered).
 *
 * <p>Besides the score drop (the attribution), the probability drop of the target class is
 * averaged the same way and returned by {@link #lastProbabilityDrop()}: the lecture's occlusion
 * is stated in probabilities.
 */
public final class Occlusion implements Attributor {
    /**
     * @param incremental recompute only what each window can change ({@link IncrementalForward})
     *     when the graph allows; false forces one whole forward pass per window
     */
    public record Options(int window, int stride, Fill fill, int batch, boolean incremental) {
        public Options(int window, int stride, Fill fill, int batch) {
            this(window, stride, fill, batch, true);
        }

        public Options {
            if (window < 1 || stride < 1 || batch < 1) {
                throw new IllegalArgumentException("window, stride and batch must be positive (window=" + window
                        + ", stride=" + stride + ", batch=" + batch + ")");
            }
            if (stride > window) {
                throw new IllegalArgumentException("stride " + stride + " exceeds window " + window
                        + ": some pixels would never be occluded");
            }
        }
    }

    /** Most windows in one thread's batch when the threads each take batches ({@link OrderedBatches}). */
    static final int PER_THREAD = Integer.getInteger("loupe.occlusion.per-thread", 8);

    private final Options options;
    private Tensor lastProbabilityDrop;
    private String lastPath = "plain";
    private String lastFallback;

    public Occlusion(Options options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "occlusion";
    }

    /** Number of window positions along an axis of length {@code size}, as Captum counts them. */
    public static int positions(int size, int window, int stride) {
        if (window > size) {
            throw new IllegalArgumentException("occlusion window " + window + " exceeds the image size " + size);
        }
        return (size - window + stride - 1) / stride + 1;
    }

    /** The probability-drop map of the last call, shaped like the input. */
    public Tensor lastProbabilityDrop() {
        return lastProbabilityDrop;
    }

    /** "incremental" or "plain": how the last call evaluated the windows. */
    public String lastPath() {
        return lastPath;
    }

    /** Why the last call used the plain path although the incremental one was asked for, else null. */
    public String lastFallback() {
        return lastFallback;
    }

    @Override
    public Tensor attribute(Trace trace, ResolvedTarget target, RunContext context) {
        Graph graph = Models.batchable(trace.graph());
        Tensor input = trace.get(Models.inputName(graph));
        Images.requireImage(input, "the occlusion input");
        Tensor logits = Models.logits(trace);
        int n = input.dim(0);
        int c = input.dim(1);
        int h = input.dim(2);
        int w = input.dim(3);
        int win = options.window();
        int s = options.stride();
        int ny = positions(h, win, s);
        int nx = positions(w, win, s);
        int windows = ny * nx;
        int hw = h * w;
        long total = (long) n * windows;
        List<Tensor> scoreMaps = new ArrayList<>();
        List<Tensor> probMaps = new ArrayList<>();
        String inputName = Models.inputName(graph);
        lastPath = "plain";
        lastFallback = null;
        for (int b = 0; b < n; b++) {
            Tensor x = Images.item(input, b);
            float[] xd = x.data();
            float[] fd = options.fill().replacement(x).data();
            IncrementalForward inc = null;
            if (options.incremental()) {
                Trace itemTrace = trace;
                if (n > 1) {
                    itemTrace = Models.forward(graph, x);
                    context.countForward();
                }
                lastFallback = IncrementalForward.unsupportedReason(graph, itemTrace, inputName);
                if (lastFallback == null) {
                    inc = new IncrementalForward(graph, itemTrace, inputName);
                    lastPath = "incremental";
                }
            }
            float score0 = target.score(logits, b);
            float prob0 = target.probability(logits, b);
            double[] scoreSum = new double[hw];
            double[] probSum = new double[hw];
            int[] count = new int[hw];
            IncrementalForward incremental = inc;
            int item = b;
            // Batches of windows on all threads at once, their drops summed in window order.
            OrderedBatches.run(windows, options.batch(), PER_THREAD, true, (w0, w1) -> incremental != null
                    ? incremental(incremental, w0, w1 - w0, fd, c, h, w, nx, s, win)
                    : plainBatch(graph, x, fd, w0, w1 - w0, nx, s, win), (w0, w1, out) -> {
                        context.countForward();
                        int k = w1 - w0;
                        ResolvedTarget rt = target.repeat(item, k);
                        for (int j = 0; j < k; j++) {
                            // Captum: original minus ablated output, in float32.
                            float drop = score0 - rt.score(out, j);
                            float pdrop = prob0 - rt.probability(out, j);
                            int[] r = rect(w0 + j, nx, s, win, h, w);
                            for (int y = r[0]; y < r[1]; y++) {
                                for (int xx = r[2]; xx < r[3]; xx++) {
                                    scoreSum[y * w + xx] += drop;
                                    probSum[y * w + xx] += pdrop;
                                    count[y * w + xx]++;
                                }
                            }
                        }
                        context.progress().update((long) item * windows + w1, total);
                    });
            scoreMaps.add(spread(scoreSum, count, c, h, w));
            probMaps.add(spread(probSum, count, c, h, w));
        }
        lastProbabilityDrop = Images.concat(probMaps);
        return Images.concat(scoreMaps);
    }

    /** Logits of windows w0..w0+k-1, each a whole copy of the image forwarded in one batch. */
    private static Tensor plainBatch(Graph graph, Tensor x, float[] fd, int w0, int k, int nx, int s, int win) {
        float[] xd = x.data();
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int hw = h * w;
        float[] batch = new float[k * xd.length];
        for (int j = 0; j < k; j++) {
            System.arraycopy(xd, 0, batch, j * xd.length, xd.length);
            int[] r = rect(w0 + j, nx, s, win, h, w);
            for (int ch = 0; ch < c; ch++) {
                for (int y = r[0]; y < r[1]; y++) {
                    int off = ch * hw + y * w;
                    System.arraycopy(fd, off + r[2], batch, j * xd.length + off + r[2], r[3] - r[2]);
                }
            }
        }
        int[] shape = x.shape();
        shape[0] = k;
        return Models.logits(graph, new Tensor(shape, batch));
    }

    /** Logits of windows w0..w0+k-1 by the incremental forward pass. */
    private static Tensor incremental(IncrementalForward inc, int w0, int k, float[] fd, int c, int h, int w, int nx,
            int s, int win) {
        int[][] boxes = new int[k][];
        float[][] values = new float[k][];
        for (int j = 0; j < k; j++) {
            int[] r = rect(w0 + j, nx, s, win, h, w);
            boxes[j] = r;
            int bh = r[1] - r[0];
            int bw = r[3] - r[2];
            float[] v = new float[c * bh * bw];
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < bh; y++) {
                    System.arraycopy(fd, (ch * h + r[0] + y) * w + r[2], v, (ch * bh + y) * bw, bw);
                }
            }
            values[j] = v;
        }
        return inc.run(boxes, values);
    }

    /** Window {@code index} (row-major over positions) as {y0, y1, x0, x1}, cut at the border. */
    private static int[] rect(int index, int nx, int stride, int window, int h, int w) {
        int y0 = (index / nx) * stride;
        int x0 = (index % nx) * stride;
        return new int[] {y0, Math.min(h, y0 + window), x0, Math.min(w, x0 + window)};
    }

    /** The per-pixel mean, copied to every channel (windows cover all channels). Uncovered pixels get 0. */
    private static Tensor spread(double[] sum, int[] count, int c, int h, int w) {
        int hw = h * w;
        float[] d = new float[c * hw];
        for (int i = 0; i < hw; i++) {
            float v = count[i] == 0 ? 0f : (float) (sum[i] / count[i]);
            for (int ch = 0; ch < c; ch++) {
                d[ch * hw + i] = v;
            }
        }
        return new Tensor(new int[] {1, c, h, w}, d);
    }
}
