package dev.loupe.bench.jmh;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ops.Conv;
import dev.loupe.engine.ops.WindowAttrs;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole ResNet-18 convolution layers through the engine's Conv op, batch 1: im2col into the GEMM, or
 * Winograd for the 3x3 stride-1 layers, whose GFLOPS are therefore effective (direct-convolution
 * FLOPs over time; they do 2.25x fewer multiplies).
 * A layer is "C-M-H-k-s": input channels, output channels, input side, kernel, stride (pad k/2).
 * With a bias, as ResNet's convolutions have once BatchNorm is folded into them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
    @Param({"3-64-224-7-2", "64-64-56-3-1", "128-128-28-3-1", "256-256-14-3-1", "512-512-7-3-1", "64-128-56-3-2",
            "128-256-28-3-2", "256-512-14-3-2", "64-128-56-1-2"})
    public String layer;

    @Param({"1", "2"})
    public int threads;

    private Conv conv;
    private Tensor[] inputs;
    private Saved saved;
    private Tensor[] outputGradient;

    @Setup
    public void setup() {
        int[] p = parse(layer);
        Parallel.setThreads(threads);
        Random r = new Random(1);
        conv = new Conv(1, WindowAttrs.of(null, new int[] {p[4], p[4]}, new int[] {p[3] / 2, p[3] / 2, p[3] / 2, p[3] / 2}));
        inputs = new Tensor[] {random(r, 1, p[0], p[2], p[2]), random(r, p[1], p[0], p[3], p[3]), random(r, p[1])};
        saved = new Saved();
        Tensor y = conv.forward(inputs, saved)[0];
        outputGradient = new Tensor[] {random(r, y.shape())};
    }

    static int[] parse(String layer) {
        String[] s = layer.split("-");
        int[] p = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            p[i] = Integer.parseInt(s[i]);
        }
        return p;
    }

    /** Floating-point operations of one layer (multiply-adds of the convolution, times two). */
    public static long flops(String layer) {
        int[] p = parse(layer);
        int pad = p[3] / 2;
        long out = (p[2] + 2L * pad - p[3]) / p[4] + 1;
        return 2L * p[1] * p[0] * p[3] * p[3] * out * out;
    }

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }

    /**
     * One layer's forward, its output array recycled as the executor recycles activations (given
     * back after its last use), so the figure is the layer's work and not the JVM zeroing a fresh
     * multi-megabyte array on every call.
     */
    @Benchmark
    public float forward() {
        try (Buffers.Scope scope = Buffers.recycling()) {
            float[] y = conv.forward(inputs, new Saved())[0].data();
            float first = y[0];
            Buffers.release(y);
            return first;
        }
    }

    /**
     * The layer's input gradient alone, as a saliency pass computes it (no weight or bias
     * gradient), its array recycled as in {@link #forward}. The same multiply-adds as the forward.
     */
    @Benchmark
    public float inputGradient() {
        try (Buffers.Scope scope = Buffers.recycling()) {
            float[] gx = conv.backward(saved, outputGradient, new boolean[] {true, false, false})[0].data();
            float first = gx[0];
            Buffers.release(gx);
            return first;
        }
    }
}
