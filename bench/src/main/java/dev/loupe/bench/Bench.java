package dev.loupe.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.NodeTimes;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Models;
import dev.loupe.explain.Target;
import dev.loupe.onnx.OnnxImporter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Times Loupe beside ONNX Runtime in one JVM: forward at batch 1 (interleaved with ONNX Runtime's,
 * so machine load hits both alike), forward plus one input gradient, each explanation method with
 * the settings of {@code bench/python/torch_bench.py}, occlusion both incremental and plain, and
 * batch-8 forward throughput (what {@code embed} and {@code patches} run) beside ONNX Runtime's.
 * Prints a table and the peak heap, and optionally writes JSON
 * ({@code {"results": [{"name": ..., "loupe_ms": ..., "onnxruntime_ms": ...}]}}, medians in ms).
 *
 * <pre>./loupe bench [--model M.onnx] [--threads N] [--json out.json] [--iters N] [--methods false] [--serve true]
 *     [--profile ROW]</pre>
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        Path model = opts.containsKey("model") ? Path.of(opts.get("model")) : defaultModel();
        int threads = Integer.parseInt(opts.getOrDefault("threads", "2"));
        int batch = Integer.parseInt(opts.getOrDefault("batch", "1"));
        int iters = Integer.parseInt(opts.getOrDefault("iters", "20"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "5"));
        int size = Integer.parseInt(opts.getOrDefault("size", "224"));
        int slow = Integer.parseInt(opts.getOrDefault("slow-iters", String.valueOf(Math.max(3, iters / 5))));
        if (!Files.isRegularFile(model)) {
            System.err.println("bench: model not found: " + model);
            System.exit(2);
        }
        Parallel.setThreads(threads);
        Graph graph = OnnxImporter.load(model);
        Graph batchable = Models.batchable(graph);
        String inputName = graph.inputs().get(0).name();
        String outputName = graph.outputs().get(0).name();
        Tensor x = randomInput(batch, size);
        List<Map<String, Object>> results = new ArrayList<>();
        System.err.printf(Locale.ROOT, "bench: %s, %d threads, load average %s%n", model, threads, loadAverage());
        if ("true".equals(opts.get("serve"))) {
            serve(graph, batchable, x, outputName);
            return;
        }
        if (opts.containsKey("profile")) {
            profile(rows(graph, batchable, x, outputName), opts.get("profile"), warmup, iters);
            return;
        }

        try (Ort ort = new Ort(model, threads)) {
            // Inference, as ONNX Runtime does it: the logits only, activations recycled after last use.
            double[] fwd = medianPairMs(warmup, iters, () -> Executor.evaluate(batchable, x, List.of(outputName)), () -> ort.run(x));
            results.add(row("forward", fwd[0], fwd[1]));
            // The forward pass of a gradient method: every activation kept for the backward pass.
            results.add(row("forward-traced", medianMs(warmup, iters, () -> Executor.forward(batchable, x)), Double.NaN));
            double loupeGrad = medianMs(warmup, iters, () -> {
                Trace t = Executor.forward(batchable, x);
                int[] targets = new int[batch];
                Arrays.fill(targets, 3);
                t.gradientOfClass(outputName, targets, inputName);
            });
            results.add(row("forward+input-gradient", loupeGrad, Double.NaN));
            boolean methods = !"false".equals(opts.get("methods"));
            if (methods) {
                // The same settings as bench/python/torch_bench.py, so the rows compare like with like.
                for (Object[] m : new Object[][] {
                        {"saliency", "saliency", Map.of(), iters},
                        {"guided-backprop", "guided-backprop", Map.of(), iters},
                        {"deconvnet", "deconvnet", Map.of(), iters},
                        {"gradcam", "gradcam", Map.of(), iters},
                        {"guided-gradcam", "guided-gradcam", Map.of(), iters}}) {
                    results.add(method(graph, x, m, warmup));
                }
                Map<String, String> occ = Map.of("window", "32", "stride", "16", "fill", "zero", "batch", "16");
                Map<String, String> occPlain = new LinkedHashMap<>(occ);
                occPlain.put("incremental", "false");
                // Two warm-up pairs: occlusion's own code (regions, crops, the batch-16 plain pass) is
                // still being compiled by C2 during the first (about 7 s of compiler CPU on two cores),
                // and the runs right after one warm-up came out 10-35 % above the later ones.
                double[] o = medianPairMs(2, slow, () -> Explainers.explain(graph, x, "occlusion", Target.of(3), occ),
                        () -> Explainers.explain(graph, x, "occlusion", Target.of(3), occPlain));
                results.add(row("occlusion", o[0], Double.NaN));
                results.add(row("occlusion-plain", o[1], Double.NaN));
                for (Object[] m : new Object[][] {
                        {"smoothgrad", "smoothgrad", Map.of("samples", "50", "batch", "10", "seed", "1"), slow},
                        {"integrated-gradients", "integrated-gradients", Map.of("steps", "50", "batch", "10"), slow},
                        {"score-cam", "score-cam", Map.of("batch", "16"), 1},
                        {"rise", "rise", Map.of("masks", "1000", "batch", "16", "seed", "1"), 1}}) {
                    results.add(method(graph, x, m, (Integer) m[3] == 1 ? 0 : 1));
                }
            }
            // Batch-8 throughput: what embed and patches run (outputs only, no trace kept).
            Tensor x8 = randomInput(8, size);
            double[] b8 = medianPairMs(Math.min(warmup, 3), Math.max(3, iters / 2),
                    () -> Executor.evaluate(batchable, x8, List.of(outputName)),
                    () -> ort.run(x8));
            Map<String, Object> r8 = row("forward-batch8", b8[0], b8[1]);
            r8.put("loupe_images_per_s", 8000 / b8[0]);
            r8.put("onnxruntime_images_per_s", 8000 / b8[1]);
            results.add(r8);
        }
        double peakMiB = peakHeapBytes() / 1048576.0;
        // The peak counts garbage not yet collected; what stays after a full collection is what
        // Loupe holds between runs (weights, packed copies, this thread's pool of recycled arrays).
        System.gc();
        Runtime rt = Runtime.getRuntime();
        double retainedMiB = (rt.totalMemory() - rt.freeMemory()) / 1048576.0;
        if (settles > 0) {
            System.err.printf(Locale.ROOT, "bench: waited %.1f ms on average for the process to be idle before a timed run%n",
                    settleNanos / 1e6 / settles);
        }
        System.out.printf(Locale.ROOT, "model %s, batch %d, %dx%d, %d threads, %s %s, %s, load average %s%n", model.getFileName(),
                batch, size, size, threads, System.getProperty("java.vm.name"), System.getProperty("java.version"), cpuName(),
                loadAverage());
        System.out.printf(Locale.ROOT, "%-26s %12s %16s %10s%n", "name", "loupe_ms", "onnxruntime_ms", "ratio");
        for (Map<String, Object> r : results) {
            double l = (Double) r.get("loupe_ms");
            Double ort = (Double) r.get("onnxruntime_ms");
            System.out.printf(Locale.ROOT, "%-26s %12.2f %16s %10s%n", r.get("name"), l,
                    ort != null ? String.format(Locale.ROOT, "%.2f", ort) : "-",
                    ort != null ? String.format(Locale.ROOT, "%.2fx", l / ort) : "");
            if (r.containsKey("loupe_images_per_s")) {
                System.out.printf(Locale.ROOT, "%-26s %12.1f %16.1f  images/s%n", "", (Double) r.get("loupe_images_per_s"),
                        (Double) r.get("onnxruntime_images_per_s"));
            }
        }
        System.out.printf(Locale.ROOT, "peak heap: %.0f MiB; after a full GC at the end: %.0f MiB%n", peakMiB, retainedMiB);
        String json = opts.get("json");
        if (json != null) {
            // Atomic, like every output of the project: an interrupted run leaves no half file.
            dev.loupe.engine.io.AtomicFiles.write(Path.of(json),
                    toJson(results, model, batch, threads, peakMiB, retainedMiB).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** ../shared/models/resnet18.onnx (beside the repository) when present, else the bundled SqueezeNet. */
    private static Path defaultModel() {
        Path root = Path.of(System.getenv().getOrDefault("LOUPE_HOME", "."));
        Path resnet = root.resolve("../shared/models/resnet18.onnx").normalize();
        return Files.isRegularFile(resnet) ? resnet : root.resolve("models/squeezenet1.1-imagenet.onnx").normalize();
    }

    /**
     * Rows timed on request, for a peer that alternates with Loupe row by row so both see the same
     * machine (see {@code torch_bench.py --paired}). Reads lines {@code NAME WARMUP ITERS} on
     * stdin and answers each with {@code row NAME MEDIAN_MS} on stdout; {@code quit} or the end of
     * input stops. The rows and their settings are those of the full bench.
     */
    private static void serve(Graph graph, Graph batchable, Tensor x, String outputName) throws java.io.IOException {
        Map<String, Runnable> rows = rows(graph, batchable, x, outputName);
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                java.nio.charset.StandardCharsets.UTF_8));
        System.out.println("ready " + String.join(",", rows.keySet()));
        System.out.flush();
        for (String line; (line = in.readLine()) != null && !line.isBlank() && !line.equals("quit"); ) {
            String[] f = line.trim().split("\\s+");
            Runnable row = rows.get(f[0]);
            if (row == null || f.length != 3) {
                System.out.println("error unknown row or request '" + line + "'; rows: " + String.join(", ", rows.keySet()));
            } else {
                // A warm-up, when asked for, also lasts WARMUP_MIN_NS, as in the full bench.
                double ms = medianMs(Integer.parseInt(f[1]), Integer.parseInt(f[2]), row);
                System.out.printf(Locale.ROOT, "row %s %.3f%n", f[0], ms);
            }
            System.out.flush();
        }
    }

    /**
     * Where one row's time goes, node by node: after a warm-up, runs the row {@code iters} times
     * while {@link NodeTimes} records, and prints each node's median forward and backward time per
     * run, the totals by op type, and how much of the median wall time no node accounts for (the
     * executor between nodes, gradient sums at joins, the method's own work). Set beside
     * {@code bench/python/torch_profile.py}, which does the same for PyTorch.
     */
    private static void profile(Map<String, Runnable> rows, String name, int warmup, int iters) {
        Runnable row = rows.get(name);
        if (row == null) {
            System.err.println("bench: no row '" + name + "' to profile; rows: " + String.join(", ", rows.keySet()));
            System.exit(2);
        }
        medianMs(warmup, 1, row);
        double[] wall = new double[iters];
        Map<Node, double[][]> perNode = new LinkedHashMap<>();
        Map<Node, int[]> calls = new LinkedHashMap<>();
        for (int i = 0; i < iters; i++) {
            List<NodeTimes.Row> got;
            try (NodeTimes times = NodeTimes.record()) {
                long t0 = System.nanoTime();
                row.run();
                wall[i] = (System.nanoTime() - t0) / 1e6;
                got = times.rows();
            }
            for (NodeTimes.Row r : got) {
                double[][] v = perNode.computeIfAbsent(r.node(), n -> new double[2][iters]);
                v[0][i] = r.forwardNanos() / 1e6;
                v[1][i] = r.backwardNanos() / 1e6;
                calls.put(r.node(), new int[] {r.forwardCalls(), r.backwardCalls()});
            }
        }
        double wallMs = median(wall);
        // Per run, then the median: per-node medians drop each node's slow runs, so their sum
        // understates a typical run when delays are scattered over many nodes.
        double[] inNodes = new double[iters];
        for (double[][] v : perNode.values()) {
            for (int i = 0; i < iters; i++) {
                inNodes[i] += v[0][i] + v[1][i];
            }
        }
        double[] outside = new double[iters];
        for (int i = 0; i < iters; i++) {
            outside[i] = wall[i] - inNodes[i];
        }
        System.out.printf(Locale.ROOT, "profile of '%s': %d runs, median %.2f ms; per node, median ms per run%n", name, iters, wallMs);
        System.out.printf(Locale.ROOT, "%-10s %-48s %9s %9s %7s%n", "op", "node", "forward", "backward", "calls");
        Map<String, double[]> byType = new LinkedHashMap<>();
        double sum = 0;
        for (Map.Entry<Node, double[][]> e : perNode.entrySet()) {
            Node n = e.getKey();
            double f = median(e.getValue()[0]);
            double b = median(e.getValue()[1]);
            int[] c = calls.get(n);
            String nodeName = n.name().length() > 48 ? "…" + n.name().substring(n.name().length() - 47) : n.name();
            System.out.printf(Locale.ROOT, "%-10s %-48s %9.3f %9.3f %3d/%-3d%n", n.type(), nodeName, f, b, c[0], c[1]);
            double[] t = byType.computeIfAbsent(n.type(), k -> new double[3]);
            t[0] += f;
            t[1] += b;
            t[2]++;
            sum += f + b;
        }
        System.out.printf(Locale.ROOT, "%nby op type (sums of the medians above)%n%-22s %9s %9s %9s%n", "op", "forward", "backward", "share");
        for (Map.Entry<String, double[]> e : byType.entrySet()) {
            double[] t = e.getValue();
            System.out.printf(Locale.ROOT, "%-22s %9.2f %9.2f %8.1f%%%n", e.getKey() + " (" + (int) t[2] + ")", t[0], t[1],
                    100 * (t[0] + t[1]) / wallMs);
        }
        System.out.printf(Locale.ROOT, "%-22s %9.2f ms (sum of the node medians) of %.2f ms%n", "all nodes", sum, wallMs);
        System.out.printf(Locale.ROOT, "per run, medians: in nodes %.2f ms, outside nodes %.2f ms (%.1f%% of the wall time)%n",
                median(inNodes), median(outside), 100 * median(outside) / wallMs);
    }

    /** The rows of serve and profile mode, with the settings of the full bench. */
    private static Map<String, Runnable> rows(Graph graph, Graph batchable, Tensor x, String outputName) {
        Map<String, String> occ = Map.of("window", "32", "stride", "16", "fill", "zero", "batch", "16");
        Map<String, String> occPlain = new LinkedHashMap<>(occ);
        occPlain.put("incremental", "false");
        Map<String, Runnable> rows = new LinkedHashMap<>();
        rows.put("forward", () -> Executor.evaluate(batchable, x, List.of(outputName)));
        for (String m : List.of("saliency", "guided-backprop", "deconvnet", "gradcam", "guided-gradcam")) {
            rows.put(m, () -> Explainers.explain(graph, x, m, Target.of(3), Map.of()));
        }
        rows.put("occlusion", () -> Explainers.explain(graph, x, "occlusion", Target.of(3), occ));
        rows.put("occlusion-plain", () -> Explainers.explain(graph, x, "occlusion", Target.of(3), occPlain));
        rows.put("smoothgrad", () -> Explainers.explain(graph, x, "smoothgrad", Target.of(3),
                Map.of("samples", "50", "batch", "10", "seed", "1")));
        rows.put("integrated-gradients", () -> Explainers.explain(graph, x, "integrated-gradients", Target.of(3),
                Map.of("steps", "50", "batch", "10")));
        rows.put("score-cam", () -> Explainers.explain(graph, x, "score-cam", Target.of(3), Map.of("batch", "16")));
        rows.put("rise", () -> Explainers.explain(graph, x, "rise", Target.of(3),
                Map.of("masks", "1000", "batch", "16", "seed", "1")));
        rows.put("forward-traced", () -> Executor.forward(batchable, x));
        return rows;
    }

    private static Map<String, Object> method(Graph graph, Tensor x, Object[] m, int warmup) {
        String method = (String) m[1];
        @SuppressWarnings("unchecked")
        Map<String, String> o = (Map<String, String>) m[2];
        double ms = medianMs(warmup, (Integer) m[3], () -> Explainers.explain(graph, x, method, Target.of(3), o));
        System.err.printf(Locale.ROOT, "bench: %-22s %10.1f ms%n", m[0], ms);
        return row((String) m[0], ms, Double.NaN);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "n/a";
        }
    }

    /** ONNX Runtime on the same model, same thread count, all graph optimisations. */
    private static final class Ort implements AutoCloseable {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        private final OrtSession session;
        private final String name;

        Ort(Path model, int threads) throws OrtException {
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model.toString(), so);
            name = session.getInputNames().iterator().next();
        }

        void run(Tensor x) {
            try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), toLong(x.shape()));
                 OrtSession.Result r = session.run(Map.of(name, in))) {
                r.get(0);
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws OrtException {
            session.close();
            so.close();
        }
    }

    /**
     * Medians of a and b timed alternately, so load changes hit both alike. Each timed run starts
     * once the process is idle ({@link #settle}): ONNX Runtime's workers spin-wait for a while after
     * a run, and would otherwise take CPU from the run that follows theirs.
     */
    static double[] medianPairMs(int warmup, int iters, Runnable a, Runnable b) {
        long until = System.nanoTime() + WARMUP_MIN_NS;
        for (int i = 0; i < warmup || (warmup > 0 && System.nanoTime() < until); i++) {
            a.run();
            b.run();
        }
        double[] ta = new double[iters];
        double[] tb = new double[iters];
        for (int i = 0; i < iters; i++) {
            settle();
            long t0 = System.nanoTime();
            a.run();
            long t1 = System.nanoTime();
            settle();
            long t2 = System.nanoTime();
            b.run();
            long t3 = System.nanoTime();
            ta[i] = (t1 - t0) / 1e6;
            tb[i] = (t3 - t2) / 1e6;
        }
        return new double[] {median(ta), median(tb)};
    }

    /**
     * Warm-up lasts at least this long (and at least the asked number of runs): C2 needs a few
     * seconds of a forward pass before every kernel is compiled in its final form, and the rows
     * timed first would otherwise pay for it.
     */
    static final long WARMUP_MIN_NS = Long.getLong("loupe.bench.warmup-ms", 4000) * 1_000_000L;

    /** At least this many milliseconds of pause before each timed run of a pair (see {@link #medianPairMs}). */
    static final long SETTLE_MS = Long.getLong("loupe.bench.settle-ms", 20);

    /** The pause ends once the whole process used less than this much CPU in one 5 ms step... */
    private static final long QUIET_NS = 500_000;

    /** ...or after this long at the most. */
    private static final long SETTLE_MAX_MS = 300;

    /**
     * Waits until the process is idle: ONNX Runtime's workers spin for 20-30 ms after a run on
     * this VM (measured from the process's CPU time), longer than a fixed 20 ms pause, and took
     * CPU from the Loupe run that followed. Loupe's own workers spin 1 ms.
     */
    private static void settle() {
        long t0 = System.nanoTime();
        try {
            Thread.sleep(SETTLE_MS);
            long last = processCpuNanos();
            for (long waited = SETTLE_MS; waited < SETTLE_MAX_MS && last >= 0; waited += 5) {
                Thread.sleep(5);
                long now = processCpuNanos();
                if (now - last < QUIET_NS) {
                    break;
                }
                last = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        settleNanos += System.nanoTime() - t0;
        settles++;
    }

    private static long settleNanos;
    private static long settles;

    /** CPU time of every thread of this process (native ones too), from /proc; -1 where unavailable. */
    static long processCpuNanos() {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return -1;
        }
        long sum = 0;
        for (java.io.File t : tasks) {
            try {
                String s = java.nio.file.Files.readString(t.toPath().resolve("schedstat"));
                sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
            } catch (java.io.IOException | RuntimeException e) {
                // A thread that ended between listing and reading: it no longer runs.
            }
        }
        return sum;
    }

    static double median(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static Map<String, Object> row(String name, double loupe, double ort) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", name);
        r.put("loupe_ms", loupe);
        if (!Double.isNaN(ort)) {
            r.put("onnxruntime_ms", ort);
        }
        return r;
    }

    private static long[] toLong(int[] s) {
        return Arrays.stream(s).asLongStream().toArray();
    }

    private static Tensor randomInput(int batch, int size) {
        Random rnd = new Random(42);
        Tensor t = Tensor.zeros(batch, 3, size, size);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) rnd.nextGaussian();
        }
        return t;
    }

    static double medianMs(int warmup, int iters, Runnable body) {
        long until = System.nanoTime() + WARMUP_MIN_NS;
        for (int i = 0; i < warmup || (warmup > 0 && System.nanoTime() < until); i++) {
            body.run();
        }
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            // not Linux: the CPU name is only informative
        }
        return System.getProperty("os.arch");
    }

    private static String toJson(List<Map<String, Object>> results, Path model, int batch, int threads, double peakMiB,
            double retainedMiB) {
        StringBuilder b = new StringBuilder("{\n  \"model\": \"").append(model.getFileName()).append("\",\n  \"batch\": ")
                .append(batch).append(",\n  \"threads\": ").append(threads)
                .append(",\n  \"java\": \"").append(System.getProperty("java.version"))
                .append("\",\n  \"cpu\": \"").append(cpuName()).append("\",\n  \"load_average\": \"").append(loadAverage())
                .append(String.format(Locale.ROOT, "\",\n  \"peak_heap_mib\": %.0f", peakMiB))
                .append(String.format(Locale.ROOT, ",\n  \"retained_heap_mib\": %.0f", retainedMiB)).append(",\n  \"results\": [\n");
        for (int i = 0; i < results.size(); i++) {
            b.append("    {");
            int k = 0;
            for (Map.Entry<String, Object> e : results.get(i).entrySet()) {
                b.append(k++ > 0 ? ", " : "").append('"').append(e.getKey()).append("\": ");
                b.append(e.getValue() instanceof String s ? "\"" + s + "\"" : String.format(Locale.ROOT, "%.3f", (Double) e.getValue()));
            }
            b.append(i + 1 < results.size() ? "},\n" : "}\n");
        }
        return b.append("  ]\n}\n").toString();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: loupe bench [--model M.onnx] [--threads N] [--json out.json] [--batch B] [--iters N] [--slow-iters N] [--warmup N] [--size S] [--methods true|false] [--serve true] [--profile ROW]");
                System.exit(2);
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
