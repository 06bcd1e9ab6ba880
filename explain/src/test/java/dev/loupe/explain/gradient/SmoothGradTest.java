package dev.loupe.explain.gradient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import dev.loupe.explain.Target;
import dev.loupe.explain.testing.SyntheticModels;
import org.junit.jupiter.api.Test;

class SmoothGradTest {
    private final Graph graph = SyntheticModels.smooth(5);
    private final Tensor x = SyntheticModels.randomImage(9, 1, 3, 8, 8);

    @Test
    void zeroNoiseEqualsSaliencyExactly() {
        Trace t = Explainers.forward(graph, x);
        ResolvedTarget rt = Target.of(2).resolve(t.get("logits"));
        Tensor saliency = new Saliency().attribute(t, rt, RunContext.quiet());
        for (int batch : new int[] {1, 3, 16}) {
            Tensor sg = new SmoothGrad(new Saliency(), new SmoothGrad.Options(7, 0, batch, 1)).attribute(t, rt, RunContext.quiet());
            assertArrayEquals(saliency.data(), sg.data(), 0f, "batch " + batch);
        }
    }

    @Test
    void batchSizeDoesNotChangeTheNoise() {
        Trace t = Explainers.forward(graph, x);
        ResolvedTarget rt = Target.of(0).resolve(t.get("logits"));
        Tensor a = new SmoothGrad(new Saliency(), new SmoothGrad.Options(10, 0.2, 1, 4)).attribute(t, rt, RunContext.quiet());
        Tensor b = new SmoothGrad(new Saliency(), new SmoothGrad.Options(10, 0.2, 4, 4)).attribute(t, rt, RunContext.quiet());
        assertArrayEquals(a.data(), b.data(), 1e-6f);
    }

    /** Samples draw their noise in parallel, each from its own seed: one thread or two, the same bits. */
    @Test
    void threadCountDoesNotChangeTheNoise() {
        Trace t = Explainers.forward(graph, x);
        ResolvedTarget rt = Target.of(0).resolve(t.get("logits"));
        SmoothGrad sg = new SmoothGrad(new Saliency(), new SmoothGrad.Options(12, 0.2, 6, 4));
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Tensor one = sg.attribute(t, rt, RunContext.quiet());
            Parallel.setThreads(2);
            Tensor two = sg.attribute(t, rt, RunContext.quiet());
            assertArrayEquals(one.data(), two.data(), 0f);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void meanConvergesAsSamplesGrow() {
        Trace t = Explainers.forward(graph, x);
        ResolvedTarget rt = Target.of(1).resolve(t.get("logits"));
        Tensor truth = new SmoothGrad(new Saliency(), new SmoothGrad.Options(4000, 0.3, 64, 12345)).attribute(t, rt, RunContext.quiet());
        double[] err = new double[3];
        int[] samples = {10, 100, 1000};
        for (int i = 0; i < samples.length; i++) {
            Tensor est = new SmoothGrad(new Saliency(), new SmoothGrad.Options(samples[i], 0.3, 64, 7)).attribute(t, rt, RunContext.quiet());
            err[i] = rms(est, truth);
        }
        // Monte Carlo error falls like 1/sqrt(samples): each tenfold step should cut it clearly (ideal ≈ 3.2×).
        assertTrue(err[1] < err[0] / 2, "10 -> 100 samples: " + err[0] + " -> " + err[1]);
        assertTrue(err[2] < err[1] / 2, "100 -> 1000 samples: " + err[1] + " -> " + err[2]);
    }

    static double rms(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = a.data()[i] - b.data()[i];
            s += d * d;
        }
        return Math.sqrt(s / a.size());
    }
}
