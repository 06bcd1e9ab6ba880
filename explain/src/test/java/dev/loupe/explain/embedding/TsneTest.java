package dev.loupe.explain.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.data.Datasets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TsneTest {
    /** 6 Gaussian clusters in 30-D, 100 points each, centres 10σ apart. */
    @Test
    void separatedGaussianClustersStayTogether() {
        int k = 6;
        int per = 100;
        int n = k * per;
        int d = 30;
        Random rnd = new Random(11);
        float[][] centres = new float[k][d];
        for (int c = 0; c < k; c++) {
            for (int t = 0; t < d; t++) {
                centres[c][t] = (float) (rnd.nextGaussian() * 10 / Math.sqrt(2));
            }
        }
        float[] x = new float[n * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % k;
            for (int t = 0; t < d; t++) {
                x[i * d + t] = centres[labels[i]][t] + (float) rnd.nextGaussian();
            }
        }
        Tsne.Result r = Tsne.run(x, n, d, Tsne.Options.defaults().withIterations(500), null, null);
        assertTrue(r.complete());
        double trust = EmbeddingQuality.trustworthiness(x, d, r.coordinates(), 2, n, 10);
        double acc = EmbeddingQuality.knnAccuracy(r.coordinates(), 2, n, labels, 10);
        System.out.printf("t-SNE on Gaussian clusters: trustworthiness %.4f, 2-D 10-NN accuracy %.4f, KL %.3f%n", trust, acc, r.kl());
        assertTrue(trust > 0.9, "trustworthiness " + trust);
        assertTrue(acc > 0.99, "2-D kNN accuracy " + acc);
        // Same seed, same map.
        Tsne.Result again = Tsne.run(x, n, d, Tsne.Options.defaults().withIterations(500), null, null);
        assertEquals(r.coordinates()[17], again.coordinates()[17], 1e-3 * Math.abs(r.coordinates()[17]) + 1e-3);
    }

    @Test
    void perplexityCalibrationHitsTheTargetEntropy() {
        double[] dist = new double[90];
        Random rnd = new Random(2);
        for (int i = 0; i < dist.length; i++) {
            dist[i] = 5 + 10 * rnd.nextDouble();
        }
        java.util.Arrays.sort(dist);
        double[] p = new double[90];
        Tsne.calibrate(dist, 0, 90, Math.log(30), p);
        double h = 0;
        double sum = 0;
        for (double v : p) {
            sum += v;
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        assertEquals(1, sum, 1e-9);
        assertEquals(30, Math.exp(h), 1e-3);
    }

    @Test
    void trustworthinessOfTheIdentityIsOneAndOfARandomMapAboutAHalf() {
        int n = 300;
        float[] x = NeighborsTest.random(n, 2, 4);
        assertEquals(1.0, EmbeddingQuality.trustworthiness(x, 2, x, 2, n, 5), 1e-9);
        float[] y = NeighborsTest.random(n, 2, 5);
        double t = EmbeddingQuality.trustworthiness(x, 2, y, 2, n, 5);
        assertTrue(t > 0.4 && t < 0.6, "random map: " + t);
    }

    /**
     * The first 2,500 Fashion-MNIST test images as raw pixels (no model: PCA to 50 dimensions then
     * t-SNE), from the installed data or else the bundled 1,000-image subset.
     */
    @Test
    void fashionMnistRawPixelsTrustworthinessAtLeast090() throws Exception {
        Dataset data = Datasets.open("fashion-mnist:test", null);
        Embedding px = Embeddings.pixels(data, null, 2500, null);
        long t0 = System.nanoTime();
        Tsne.Result r = Tsne.run(px.data(), px.n(), px.d(), Tsne.Options.defaults(), null, null);
        double secs = (System.nanoTime() - t0) / 1e9;
        float[] reduced = Pca.fit(px.data(), px.n(), px.d(), 50, 30, 0).transform(px.data(), px.n());
        double trust = EmbeddingQuality.trustworthiness(px.data(), px.d(), r.coordinates(), 2, px.n(), 10);
        double trust50 = EmbeddingQuality.trustworthiness(reduced, 50, r.coordinates(), 2, px.n(), 10);
        double acc = EmbeddingQuality.knnAccuracy(r.coordinates(), 2, px.n(), px.labels(), 10);
        double accPixels = EmbeddingQuality.knnAccuracy(px.data(), px.d(), px.n(), px.labels(), 10);
        System.out.printf("Fashion-MNIST %s, %d images, raw pixels: t-SNE %.1f s, trustworthiness(k=10) %.4f vs pixels, %.4f vs 50 PCs;"
                + " 10-NN accuracy %.4f in 2-D, %.4f in pixel space%n", data.name(), px.n(), secs, trust, trust50, acc, accPixels);
        assertTrue(trust >= 0.90, "trustworthiness " + trust);
        assertTrue(acc > 0.7, "2-D kNN accuracy " + acc);
    }

    /**
     * The trained fashion-cnn shipped in models/ (test accuracy 0.91): its classifier input
     * (flatten1_out, 3136-d) for the first 2,000 test images. Skipped when the model is absent.
     */
    @Test
    void fashionMnistTrainedCnnFeaturesTrustworthinessAtLeast090() throws Exception {
        java.nio.file.Path model = java.nio.file.Path.of("..", "models", "fashion-cnn.onnx");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(model), "models/fashion-cnn.onnx is not here");
        dev.loupe.engine.Graph g = dev.loupe.onnx.OnnxImporter.load(model);
        Dataset data = Datasets.open("fashion-mnist:test", null);
        Embedding e = Embeddings.compute(g, data, null, null, Embeddings.Pool.AVERAGE, 100, 2000, null, null, null);
        assertEquals("flatten1_out", e.layer());
        Tsne.Result r = Tsne.run(e.data(), e.n(), e.d(), Tsne.Options.defaults(), null, null);
        double trust = EmbeddingQuality.trustworthiness(e.data(), e.d(), r.coordinates(), 2, e.n(), 10);
        double acc = EmbeddingQuality.knnAccuracy(r.coordinates(), 2, e.n(), e.labels(), 10);
        System.out.printf("Fashion-MNIST, fashion-cnn features (%d x %d): trustworthiness(k=10) %.4f, 2-D 10-NN accuracy %.4f%n",
                e.n(), e.d(), trust, acc);
        assertTrue(trust >= 0.90, "trustworthiness " + trust);
        assertTrue(acc > 0.75, "2-D kNN accuracy " + acc);
    }
}
