package dev.loupe.bench.jmh;

import dev.loupe.engine.Parallel;
import dev.loupe.engine.kernels.Gemm;
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
 * The GEMMs of ResNet-18's convolutions at 224², as im2col turns them into products:
 * {@code M = output channels}, {@code K = input channels · kh · kw}, {@code N = output pixels}.
 * Weights are constant (packed once, as in the engine). {@code threads} sets the engine's pool.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    /** MxKxN: conv1 7x7/2; layer1 3x3; layer2 3x3/2, 3x3, 1x1/2; layer3 3x3; layer4 3x3. */
    @Param({"64x147x12544", "64x576x3136", "128x576x784", "128x1152x784", "128x64x784", "256x2304x196", "512x4608x49"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int m;
    private int k;
    private int n;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        k = Integer.parseInt(p[1]);
        n = Integer.parseInt(p[2]);
        Parallel.setThreads(threads);
        Random r = new Random(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
    }

    /** Floating-point operations of one call for a shape "MxKxN". */
    public static long flops(String shape) {
        String[] p = shape.split("x");
        return 2L * Long.parseLong(p[0]) * Long.parseLong(p[1]) * Long.parseLong(p[2]);
    }

    @Benchmark
    public float[] sgemm() {
        Gemm.sgemmConstantA(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        return c;
    }
}
