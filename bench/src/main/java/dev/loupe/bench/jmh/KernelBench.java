package dev.loupe.bench.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the kernel microbenchmarks and prints GFLOPS beside the measured FMA peak: first the peak
 * on 1 and 2 threads ({@link FmaPeak}), then the candidate register tiles on one thread
 * ({@link RegisterTileBench}), then every GEMM shape ({@link GemmBench}) and conv layer
 * ({@link ConvBench}, forward and input gradient) on 1 and 2 threads, as GFLOPS and as a share of
 * the peak for that many threads.
 *
 * <pre>
 * mvn -q -B -DskipTests package -pl bench -am
 * java --add-modules jdk.incubator.vector -cp bench/target/loupe-bench.jar dev.loupe.bench.jmh.KernelBench [--quick]
 * # or any JMH selection, for example:
 * java --add-modules jdk.incubator.vector -cp bench/target/loupe-bench.jar org.openjdk.jmh.Main GemmBench -p threads=2
 * </pre>
 * {@code --quick} runs one short measurement per case (a smoke test, noisy).
 */
public final class KernelBench {
    private KernelBench() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        double[] peak = new double[3];
        for (int t = 1; t <= 2; t++) {
            Collection<RunResult> r = new Runner(opts(quick).include(FmaPeak.class.getName()).threads(t).build()).run();
            peak[t] = score(r.iterator().next()) * FmaPeak.FLOPS / 1e9;
            System.out.printf(Locale.ROOT, "FMA peak, %d thread%s: %.1f GFLOPS%n", t, t > 1 ? "s" : "", peak[t]);
        }
        List<String> lines = new ArrayList<>();
        for (RunResult r : new Runner(opts(quick).include(RegisterTileBench.class.getName()).threads(1).build()).run()) {
            String tile = r.getParams().getBenchmark();
            tile = tile.substring(tile.lastIndexOf('.') + 1);
            double gf = score(r) * RegisterTileBench.flops(tile) / 1e9;
            lines.add(String.format(Locale.ROOT, "tile %-16s 1 thr %8.1f GFLOPS %6.0f%% of peak", tile, gf, 100 * gf / peak[1]));
        }
        for (RunResult r : new Runner(opts(quick).include(GemmBench.class.getName()).build()).run()) {
            String shape = r.getParams().getParam("shape");
            int t = Integer.parseInt(r.getParams().getParam("threads"));
            double gf = score(r) * GemmBench.flops(shape) / 1e9;
            lines.add(String.format(Locale.ROOT, "gemm %-14s %d thr %8.1f GFLOPS %6.0f%% of peak", shape, t, gf, 100 * gf / peak[t]));
        }
        for (RunResult r : new Runner(opts(quick).include(ConvBench.class.getName()).build()).run()) {
            String layer = r.getParams().getParam("layer");
            int t = Integer.parseInt(r.getParams().getParam("threads"));
            double gf = score(r) * ConvBench.flops(layer) / 1e9;
            String label = r.getParams().getBenchmark().endsWith("inputGradient") ? "conv-grad" : "conv";
            lines.add(String.format(Locale.ROOT, "%-9s %-14s %d thr %8.1f GFLOPS %6.0f%% of peak", label, layer, t, gf,
                    100 * gf / peak[t]));
        }
        System.out.printf(Locale.ROOT, "%nFMA peak: %.1f GFLOPS on 1 thread, %.1f on 2%n", peak[1], peak[2]);
        lines.forEach(System.out::println);
    }

    private static ChainedOptionsBuilder opts(boolean quick) {
        ChainedOptionsBuilder o = new OptionsBuilder().shouldFailOnError(true);
        if (quick) {
            o = o.warmupIterations(1).warmupTime(TimeValue.milliseconds(300)).measurementIterations(2)
                    .measurementTime(TimeValue.milliseconds(500));
        }
        return o;
    }

    /** Calls per second (JMH sums the threads' throughput). */
    private static double score(RunResult r) {
        return r.getPrimaryResult().getScore();
    }
}
