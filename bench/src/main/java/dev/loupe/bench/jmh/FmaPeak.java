package dev.loupe.bench.jmh;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's practical FP32 FMA peak as the Vector API reaches it: twelve independent
 * accumulator chains (enough to cover FMA latency times the issue width) of the preferred species,
 * no memory traffic. One call does {@link #FLOPS} floating-point operations; run with
 * {@code -t N} for N cores (JMH sums the threads' throughput).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class FmaPeak {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int STEPS = 4096;
    static final int CHAINS = 12;
    /** Floating-point operations per call: an FMA is two per lane. */
    public static final long FLOPS = 2L * STEPS * CHAINS * S.length();

    private final float[] seed = {1.0000001f, 0.9999999f, 1e-7f};

    @Benchmark
    public float fma() {
        FloatVector a = FloatVector.broadcast(S, seed[0]);
        FloatVector b = FloatVector.broadcast(S, seed[1]);
        FloatVector c0 = FloatVector.broadcast(S, seed[2]), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < STEPS; i++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
