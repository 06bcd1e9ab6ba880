package dev.loupe.engine.testing;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Finite-difference check of a whole graph's backward pass, as run by {@link Executor#forward}
 * and {@link Trace#backward} (including any rules bound to the graph, so check with none bound).
 * The scalar probed is {@code L = <seed, output>} with a fixed random seed; its derivative with
 * respect to each probed element of each {@code wrt} input is estimated by central differences
 * (rerunning the graph) and compared with the analytic gradient.
 *
 * <pre>{@code
 * GraphGradCheck.check(graph, x);                                   // one input, first output
 * GraphGradCheck.check(graph, Map.of("x", x), "logits", List.of("x"),
 *         GraphGradCheck.Options.DEFAULT.withMaxProbes(50));
 * }</pre>
 */
public final class GraphGradCheck {
    private GraphGradCheck() {
    }

    /**
     * @param step the finite-difference step
     * @param tolerance the largest accepted |analytic - numeric| / max(1, largest |numeric|)
     * @param maxProbes how many elements of each wrt tensor to probe (all when it has no more);
     *     the rest are skipped, chosen at random, to keep large inputs fast
     * @param seed seeds the output gradient and the probe choice
     */
    public record Options(double step, double tolerance, int maxProbes, long seed) {
        public static final Options DEFAULT = new Options(1e-2, 2e-2, 200, 1234);

        public Options withStep(double s) {
            return new Options(s, tolerance, maxProbes, seed);
        }

        public Options withTolerance(double t) {
            return new Options(step, t, maxProbes, seed);
        }

        public Options withMaxProbes(int m) {
            return new Options(step, tolerance, m, seed);
        }
    }

    /** Checks the gradient of the first output with respect to the graph's single input. */
    public static Tensor check(Graph graph, Tensor input) {
        if (graph.inputs().size() != 1) {
            throw new IllegalArgumentException("the graph has " + graph.inputs().size() + " inputs; name them");
        }
        String in = graph.inputs().get(0).name();
        return check(graph, Map.of(in, input), graph.outputs().get(0).name(), List.of(in), Options.DEFAULT).get(in);
    }

    /**
     * Checks the gradient of {@code output} with respect to each {@code wrt} name, which must be
     * graph inputs given in {@code feeds}. Feeds are not modified.
     *
     * @return the analytic gradients, for further assertions
     * @throws AssertionError naming the input, element, analytic and numeric values on failure
     */
    public static Map<String, Tensor> check(Graph graph, Map<String, Tensor> feeds, String output,
            Collection<String> wrt, Options options) {
        Random rnd = new Random(options.seed());
        Trace trace = Executor.forward(graph, copy(feeds));
        Tensor out = trace.get(output);
        Tensor seed = GradCheck.random(rnd, out.shape());
        Map<String, Tensor> analytic = trace.backward(Map.of(output, seed), wrt);
        for (String w : wrt) {
            Tensor x = feeds.get(w);
            if (x == null) {
                throw new IllegalArgumentException("'" + w + "' is not among the feeds " + feeds.keySet()
                        + "; only graph inputs can be perturbed");
            }
            Tensor a = analytic.get(w);
            if (!a.sameShape(x)) {
                throw new AssertionError("gradient for '" + w + "' has shape " + Tensor.shapeString(a.shape())
                        + " but the input has " + Tensor.shapeString(x.shape()));
            }
            int[] probes = probes(x.size(), options.maxProbes(), rnd);
            double[] numeric = new double[probes.length];
            double scale = 1e-6;
            for (int p = 0; p < probes.length; p++) {
                int j = probes[p];
                Map<String, Tensor> plus = copy(feeds);
                Map<String, Tensor> minus = copy(feeds);
                plus.get(w).data()[j] += (float) options.step();
                minus.get(w).data()[j] -= (float) options.step();
                // The float steps actually taken, which differ slightly from the requested one.
                double h = (double) plus.get(w).data()[j] - minus.get(w).data()[j];
                numeric[p] = (loss(graph, plus, output, seed) - loss(graph, minus, output, seed)) / h;
                scale = Math.max(scale, Math.abs(numeric[p]));
            }
            double worst = 0;
            int worstAt = -1;
            for (int p = 0; p < probes.length; p++) {
                double err = Math.abs(a.data()[probes[p]] - numeric[p]) / Math.max(1.0, scale);
                if (err > worst) {
                    worst = err;
                    worstAt = p;
                }
            }
            if (worst > options.tolerance()) {
                throw new AssertionError("gradient of '" + output + "' with respect to '" + w
                        + "' differs from finite differences at flat index " + probes[worstAt] + ": analytic "
                        + a.data()[probes[worstAt]] + " vs numeric " + numeric[worstAt] + " (relative error " + worst
                        + ", tolerance " + options.tolerance() + ")");
            }
        }
        return analytic;
    }

    private static int[] probes(int size, int max, Random rnd) {
        if (size <= max) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) {
                all[i] = i;
            }
            return all;
        }
        // A random subset without repeats (partial Fisher-Yates).
        int[] perm = new int[size];
        for (int i = 0; i < size; i++) {
            perm[i] = i;
        }
        for (int i = 0; i < max; i++) {
            int k = i + rnd.nextInt(size - i);
            int t = perm[i];
            perm[i] = perm[k];
            perm[k] = t;
        }
        return java.util.Arrays.copyOf(perm, max);
    }

    private static double loss(Graph graph, Map<String, Tensor> feeds, String output, Tensor seed) {
        float[] y = Executor.forward(graph, feeds).get(output).data();
        float[] s = seed.data();
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += (double) y[i] * s[i];
        }
        return sum;
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> feeds) {
        Map<String, Tensor> c = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
            c.put(e.getKey(), e.getValue().copy());
        }
        return c;
    }
}
