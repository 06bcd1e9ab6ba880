package dev.loupe.explain.gradient;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Attributor;
import dev.loupe.explain.Images;
import dev.loupe.explain.Models;
import dev.loupe.explain.OrderedBatches;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import dev.loupe.explain.rules.Composites;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Integrated gradients (Sundararajan et al.): {@code (x - x') · ∫_0^1 ∂f(x' + α(x - x'))/∂x dα},
 * the integral approximated by a {@link Quadrature}. Path points are evaluated in batches of at
 * most {@code batch}, on all threads at once ({@link OrderedBatches}), and summed in path order.
 * After {@link #attribute} the completeness gaps {@code Σ attr - (f(x) - f(x'))} of the last call
 * are available from {@link #lastGaps()}.
 *
 * <p>When the model has an {@link AffineStem}, the weighted sum of gradients is taken where the
 * stem ends and carried through the stem's backward once per item. The path points still run
 * through the whole model: interpolating the stem's outputs instead would skip its forward too,
 * but moves the points by rounding, and a ReLU input within rounding of zero then flips and
 * changes the gradient of a whole receptive field (seen on the tiny_dense parity model).
 */
public final class IntegratedGradients implements Attributor {
    /** The settings; {@code baseline} maps a [1, C, H, W] input item to its baseline. */
    public record Options(int steps, UnaryOperator<Tensor> baseline, Quadrature.Rule integration, int batch) {
        public Options {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be positive, got " + steps);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be positive, got " + batch);
            }
        }

        /** Captum's defaults: 50 trapezoid steps from a zero baseline. */
        public static Options defaults() {
            return new Options(50, zeroBaseline(), Quadrature.Rule.TRAPEZOID, 16);
        }
    }

    private final Options options;
    private float[] lastGaps = new float[0];

    public IntegratedGradients(Options options) {
        this.options = options;
    }

    public static UnaryOperator<Tensor> zeroBaseline() {
        return x -> Tensor.zeros(x.shape());
    }

    /** A Gaussian-blurred copy of the input as baseline. */
    public static UnaryOperator<Tensor> blurBaseline(double sigma) {
        return x -> Images.gaussianBlur(x, sigma);
    }

    /** A fixed baseline tensor, shaped like one input item. */
    public static UnaryOperator<Tensor> fixedBaseline(Tensor baseline) {
        return x -> {
            if (baseline.size() != x.size()) {
                throw new IllegalArgumentException("the baseline has shape " + Tensor.shapeString(baseline.shape())
                        + " but an input item has " + Tensor.shapeString(x.shape()));
            }
            return baseline.reshape(x.shape());
        };
    }

    @Override
    public String name() {
        return "integrated-gradients";
    }

    /** Completeness gaps {@code Σ attr - (f(x) - f(baseline))} per item of the last call. */
    public float[] lastGaps() {
        return lastGaps.clone();
    }

    @Override
    public Tensor attribute(Trace trace, ResolvedTarget target, RunContext context) {
        return attribute(trace, target, context, true);
    }

    /** As {@link #attribute}; {@code useStem} false takes every path point's gradient to the input (for tests). */
    Tensor attribute(Trace trace, ResolvedTarget target, RunContext context, boolean useStem) {
        Graph graph = Models.batchable(trace.graph());
        Optional<AffineStem> stem = useStem
                ? AffineStem.of(graph).filter(st -> st.plainUnder(graph, Composites.gradient()))
                : Optional.empty();
        String in = Models.inputName(graph);
        String wrt = stem.map(AffineStem::boundary).orElse(in);
        Tensor input = trace.get(in);
        Tensor logits = Models.logits(trace);
        int n = input.dim(0);
        Quadrature q = Quadrature.of(options.integration(), options.steps());
        int steps = q.alphas().length;
        List<Tensor> results = new ArrayList<>();
        float[] gaps = new float[n];
        long total = (long) n * steps;
        for (int b = 0; b < n; b++) {
            Tensor x = Images.item(input, b);
            Tensor base = options.baseline().apply(x);
            float[] xd = x.data();
            float[] bd = base.data();
            int size = xd.length;
            float[] diff = new float[size];
            for (int i = 0; i < size; i++) {
                diff[i] = xd[i] - bd[i];
            }
            double[][] sums = new double[1][];
            int[][] sumShape = new int[1][];
            int item = b;
            OrderedBatches.run(steps, options.batch(), OrderedBatches.PER_THREAD, true, (s0, s1) -> {
                int k = s1 - s0;
                float[] scaled = Buffers.output(k * size);
                for (int j = 0; j < k; j++) {
                    float alpha = (float) q.alphas()[s0 + j];
                    for (int i = 0; i < size; i++) {
                        scaled[j * size + i] = bd[i] + alpha * diff[i];
                    }
                }
                int[] shape = x.shape();
                shape[0] = k;
                Trace t = Models.forward(graph, new Tensor(shape, scaled));
                // Counted by consume, on one thread at a time.
                return ModifiedBackprop.gradient(t, target.repeat(item, k), Composites.gradient(), wrt, RunContext.quiet());
            }, (s0, s1, g) -> {
                int k = s1 - s0;
                if (sums[0] == null) {
                    sumShape[0] = AffineStem.itemShape(g.shape());
                    sums[0] = new double[g.size() / k];
                }
                AffineStem.accumulate(g.data(), k, q.weights(), s0, sums[0]);
                context.countForward();
                context.countBackward();
                context.progress().update((long) item * steps + s1, total);
            });
            double[] acc = sums[0];
            int[] accShape = sumShape[0];
            // The weighted sum of the path's input gradients.
            double[] grad = acc;
            if (stem.isPresent()) {
                float[] g = stem.get().inputGradient(x, new Tensor(accShape, AffineStem.divided(acc, 1))).data();
                grad = new double[size];
                for (int i = 0; i < size; i++) {
                    grad[i] = g[i];
                }
            }
            float[] attr = new float[size];
            double sum = 0;
            for (int i = 0; i < size; i++) {
                attr[i] = (float) (grad[i] * diff[i]);
                sum += attr[i];
            }
            // Only the baseline's score is needed: no trace.
            Tensor baseLogits = Models.logits(graph, base);
            context.countForward();
            float fBase = target.repeat(b, 1).score(baseLogits, 0);
            gaps[b] = (float) (sum - (target.score(logits, b) - fBase));
            results.add(new Tensor(x.shape(), attr));
        }
        lastGaps = gaps;
        return Images.concat(results);
    }
}
