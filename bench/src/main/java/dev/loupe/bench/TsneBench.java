package dev.loupe.bench;

import dev.loupe.engine.Parallel;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.FashionMnist;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.data.Datasets;
import dev.loupe.explain.embedding.Embedding;
import dev.loupe.explain.embedding.EmbeddingQuality;
import dev.loupe.explain.embedding.Embeddings;
import dev.loupe.explain.embedding.Pca;
import dev.loupe.explain.embedding.Tsne;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Times Barnes–Hut t-SNE on 10,000 points of 50 dimensions: the Fashion-MNIST test images reduced
 * to 50 principal components when the data is installed, else a mixture of 10 Gaussians. Prints
 * the wall time, the final KL divergence, trustworthiness (k=10) and 2-D 10-NN accuracy.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/loupe-bench.jar dev.loupe.bench.TsneBench [--threads 2] [--n 10000] [--npy points.npy]</pre>
 * {@code --npy} also writes the 50-d points and labels ({@code .labels.npy}) so other
 * implementations (scikit-learn) can be timed on the same data.
 */
public final class TsneBench {
    private TsneBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = 2;
        int n = 10_000;
        String npy = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--n" -> n = Integer.parseInt(args[i + 1]);
                case "--npy" -> npy = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Parallel.setThreads(threads);
        float[] x;
        int[] labels;
        String what;
        if (FashionMnist.isInstalled(FashionMnist.Split.TEST)) {
            Dataset data = Datasets.open("fashion-mnist:test", System.err::println);
            Embedding px = Embeddings.pixels(data, null, n, System.err::println);
            n = px.n();
            long t0 = System.nanoTime();
            x = Pca.fit(px.data(), n, px.d(), 50, 30, 0).transform(px.data(), n);
            System.out.printf(Locale.ROOT, "PCA 784 -> 50 of %d images: %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
            labels = px.labels();
            what = "Fashion-MNIST test, 50 principal components of the pixels";
        } else {
            Random rnd = new Random(0);
            x = new float[n * 50];
            labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % 10;
                for (int t = 0; t < 50; t++) {
                    x[i * 50 + t] = (float) (rnd.nextGaussian() + (t == labels[i] ? 8 : 0));
                }
            }
            what = "10 Gaussian clusters (Fashion-MNIST not installed)";
        }
        if (npy != null) {
            Npy.write(Path.of(npy), new Tensor(new int[] {n, 50}, x));
            Npy.writeInts(Path.of(npy.replaceAll("\\.npy$", "") + ".labels.npy"), labels, n);
        }
        System.out.printf(Locale.ROOT, "t-SNE of %d x 50 (%s), %d threads, perplexity 30, 1000 iterations, theta 0.5%n", n, what, threads);
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Tsne.Result r = Tsne.run(x, n, 50, Tsne.Options.defaults(), (it, total, kl) -> {
            if (!Double.isNaN(kl) && it % 250 == 0) {
                System.out.printf(Locale.ROOT, "  iteration %d: KL %.3f%n", it, kl);
            }
        }, null);
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        System.out.printf(Locale.ROOT, "t-SNE time: %.1f s wall, %.1f s CPU (KL %.3f; load average %.1f on %d processors)%n", secs, cpu,
                r.kl(), os.getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
        long t1 = System.nanoTime();
        double trust = EmbeddingQuality.trustworthiness(x, 50, r.coordinates(), 2, n, 10);
        double acc = EmbeddingQuality.knnAccuracy(r.coordinates(), 2, n, labels, 10);
        System.out.printf(Locale.ROOT, "trustworthiness(k=10): %.4f, 2-D 10-NN accuracy: %.4f (%.1f s to measure)%n", trust, acc,
                (System.nanoTime() - t1) / 1e9);
    }
}
