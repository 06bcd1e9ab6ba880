package dev.loupe.explain.gradient;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Attributor;
import dev.loupe.explain.Images;
import dev.loupe.explain.Models;
import dev.loupe.explain.Progress;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * SmoothGrad (Smilkov et al.): the mean of a base method's attributions over {@code samples} noisy
 * copies {@code x + N(0, σ²)}, with {@code σ = noise · (max(x) - min(x))} per item, as in the
 * paper. Wraps any {@link Attributor}. Noisy copies are evaluated in batches of {@code batch}.
 * Noise comes from {@code java.util.Random(seed)} drawn in sample order, so results do not depend
 * on the batch size; the mean is accumulated in double, so zero noise reproduces the base method exactly.
 */
public final class SmoothGrad implements Attributor {
    public record Options(int samples, double noise, int batch, long seed) {
        public Options {
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be positive, got " + samples);
            }
            if (!(noise >= 0)) {
                throw new IllegalArgumentException("noise must be >= 0, got " + noise);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be positive, got " + batch);
            }
        }

        /** 50 samples at 15% noise, the paper's recommended middle of 10–20%. */
        public static Options defaults() {
            return new Options(50, 0.15, 16, 0);
        }
    }

    private final Attributor base;
    private final Options options;

    public SmoothGrad(Attributor base, Options options) {
        this.base = base;
        this.options = options;
    }

    @Override
    public String name() {
        return "smoothgrad(" + base.name() + ")";
    }

    @Override
    public Tensor attribute(Trace trace, ResolvedTarget target, RunContext context) {
        Graph graph = Models.batchable(trace.graph());
        Tensor input = trace.get(Models.inputName(graph));
        int n = input.dim(0);
        int samples = options.samples();
        long total = (long) n * samples;
        List<Tensor> results = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            Tensor x = Images.item(input, b);
            float[] xd = x.data();
            int size = xd.length;
            double sigma = options.noise() * Images.range(x);
            Random rnd = new Random(options.seed() + b);
            double[] acc = new double[size];
            // Each batch's activations and gradients are dead once accumulated: recycle them.
            try (Buffers.Scope batches = Buffers.recycling()) {
                for (int s0 = 0; s0 < samples; s0 += options.batch()) {
                    int k = Math.min(options.batch(), samples - s0);
                    float[] noisy = Buffers.output(k * size);
                    for (int j = 0; j < k; j++) {
                        for (int i = 0; i < size; i++) {
                            noisy[j * size + i] = sigma == 0 ? xd[i] : (float) (xd[i] + sigma * rnd.nextGaussian());
                        }
                    }
                    int[] shape = x.shape();
                    shape[0] = k;
                    Trace t = Models.forward(graph, new Tensor(shape, noisy));
                    context.countForward();
                    long done = (long) b * samples + s0;
                    RunContext inner = new RunContext(Progress.NONE);
                    Tensor attr = base.attribute(t, target.repeat(b, k), inner);
                    for (int i = 0; i < inner.forwardPasses(); i++) {
                        context.countForward();
                    }
                    for (int i = 0; i < inner.backwardPasses(); i++) {
                        context.countBackward();
                    }
                    float[] ad = attr.data();
                    for (int j = 0; j < k; j++) {
                        for (int i = 0; i < size; i++) {
                            acc[i] += ad[j * size + i];
                        }
                    }
                    context.progress().update(done + k, total);
                    batches.releaseAll();
                }
            }
            float[] mean = new float[size];
            for (int i = 0; i < size; i++) {
                mean[i] = (float) (acc[i] / samples);
            }
            results.add(new Tensor(x.shape(), mean));
        }
        return Images.concat(results);
    }
}
