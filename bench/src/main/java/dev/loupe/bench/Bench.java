package dev.loupe.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Explainers;
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
 * Times Loupe beside ONNX Runtime in one JVM: forward, and forward plus one input gradient, on a
 * model at batch 1 (or --batch), then each explanation method with the PyTorch script's settings
 * (skip them with {@code --methods false}). Prints a table and optionally writes JSON
 * ({@code {"results": [{"name": ..., "loupe_ms": ..., "onnxruntime_ms": ...}]}}).
 *
 * <pre>java -jar bench/target/loupe-bench.jar --model ../shared/models/resnet18.onnx --threads 2</pre>
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        Path model = Path.of(opts.getOrDefault("model", "../shared/models/resnet18.onnx"));
        int threads = Integer.parseInt(opts.getOrDefault("threads", "2"));
        int batch = Integer.parseInt(opts.getOrDefault("batch", "1"));
        int iters = Integer.parseInt(opts.getOrDefault("iters", "20"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "5"));
        int size = Integer.parseInt(opts.getOrDefault("size", "224"));
        if (!Files.isRegularFile(model)) {
            System.err.println("bench: model not found: " + model);
            System.exit(2);
        }
        Parallel.setThreads(threads);
        Graph graph = OnnxImporter.load(model);
        String inputName = graph.inputs().get(0).name();
        String outputName = graph.outputs().get(0).name();
        Tensor x = randomInput(batch, size);
        List<Map<String, Object>> results = new ArrayList<>();

        double loupeForward = medianMs(warmup, iters, () -> Executor.forward(graph, x));
        double loupeGrad = medianMs(warmup, iters, () -> {
            Trace t = Executor.forward(graph, x);
            int[] targets = new int[batch];
            Arrays.fill(targets, 3);
            t.gradientOfClass(outputName, targets, inputName);
        });
        double ortForward = ortForwardMs(model, x, threads, warmup, iters);

        results.add(row("forward", loupeForward, ortForward));
        results.add(row("forward+input-gradient", loupeGrad, Double.NaN));
        boolean methods = !"false".equals(opts.get("methods"));
        if (methods) {
            // The same settings as bench/python/torch_bench.py, so the rows compare like with like.
            int slow = Math.max(3, iters / 5);
            for (Object[] m : new Object[][] {
                    {"saliency", Map.of(), iters},
                    {"guided-backprop", Map.of(), iters},
                    {"deconvnet", Map.of(), iters},
                    {"gradcam", Map.of(), iters},
                    {"occlusion", Map.of("window", "32", "stride", "16", "fill", "zero", "batch", "16"), slow},
                    {"smoothgrad", Map.of("samples", "50", "batch", "10", "seed", "1"), slow},
                    {"integrated-gradients", Map.of("steps", "50", "batch", "10"), slow}}) {
                String method = (String) m[0];
                @SuppressWarnings("unchecked")
                Map<String, String> o = (Map<String, String>) m[1];
                double ms = medianMs(Math.min(warmup, 2), (Integer) m[2],
                        () -> Explainers.explain(graph, x, method, Target.of(3), o));
                results.add(row(method, ms, Double.NaN));
            }
        }
        System.out.printf(Locale.ROOT, "model %s, batch %d, %dx%d, %d threads, %s %s, %s%n", model.getFileName(), batch, size, size,
                threads, System.getProperty("java.vm.name"), System.getProperty("java.version"), cpuName());
        System.out.printf(Locale.ROOT, "%-26s %12s %16s%n", "name", "loupe_ms", "onnxruntime_ms");
        for (Map<String, Object> r : results) {
            System.out.printf(Locale.ROOT, "%-26s %12.2f %16s%n", r.get("name"), (Double) r.get("loupe_ms"),
                    r.containsKey("onnxruntime_ms") ? String.format(Locale.ROOT, "%.2f", (Double) r.get("onnxruntime_ms")) : "-");
        }
        System.out.printf(Locale.ROOT, "peak heap: %.0f MiB%n", peakHeapBytes() / 1048576.0);
        String json = opts.get("json");
        if (json != null) {
            Files.writeString(Path.of(json), toJson(results, model, batch, threads));
        }
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

    private static double ortForwardMs(Path model, Tensor x, int threads, int warmup, int iters) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model.toString(), so);
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), toLong(x.shape()))) {
                String name = session.getInputNames().iterator().next();
                return medianMs(warmup, iters, () -> {
                    try (OrtSession.Result r = session.run(Map.of(name, in))) {
                        r.get(0);
                    } catch (OrtException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
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
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return iters % 2 == 1 ? ms[iters / 2] : (ms[iters / 2 - 1] + ms[iters / 2]) / 2;
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

    private static String toJson(List<Map<String, Object>> results, Path model, int batch, int threads) {
        StringBuilder b = new StringBuilder("{\n  \"model\": \"").append(model.getFileName()).append("\",\n  \"batch\": ")
                .append(batch).append(",\n  \"threads\": ").append(threads).append(",\n  \"results\": [\n");
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
                System.err.println("usage: bench [--model M.onnx] [--threads N] [--batch B] [--iters N] [--warmup N] [--methods true|false] [--json out.json]");
                System.exit(2);
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
