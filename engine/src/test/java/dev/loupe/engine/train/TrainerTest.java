package dev.loupe.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Training end to end on a tiny problem: 8x8 images of a vertical or a horizontal bar in noise. */
class TrainerTest {
    static ImageSet bars(int n, long seed) {
        Random rnd = new Random(seed);
        float[] px = new float[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            int at = 1 + rnd.nextInt(6);
            for (int p = 0; p < 64; p++) {
                px[i * 64 + p] = (float) (rnd.nextGaussian() * 0.3);
            }
            for (int k = 0; k < 8; k++) {
                int y = labels[i] == 0 ? k : at;
                int x = labels[i] == 0 ? at : k;
                px[i * 64 + y * 8 + x] += 1f;
            }
        }
        return new ImageSet(px, labels, 1, 8, 8, 2);
    }

    static Graph tinyCnn(long seed) {
        return new ModelBuilder(1, 8, 8, seed).conv(4, 3, 1).relu().maxPool(2).flatten().dense(2).build();
    }

    private static Map<String, Tensor> train(long seed, List<Progress> log) {
        Graph g = tinyCnn(seed);
        Trainer t = new Trainer(g, new Adam(0.01));
        t.fit(bars(512, 1), new Trainer.Schedule(10, 16, seed, true), log::add);
        return t.parameters();
    }

    @Test
    void learnsBarsToFullAccuracy() {
        List<Progress> log = new ArrayList<>();
        Graph g = tinyCnn(7);
        Trainer t = new Trainer(g, new Adam(0.01));
        assertEquals(List.of("conv1.weight", "conv1.bias", "fc1.weight", "fc1.bias"), t.parameterNames());
        double before = Trainer.evaluate(g, bars(200, 99), 64).loss();
        long start = System.nanoTime();
        t.fit(bars(512, 1), new Trainer.Schedule(10, 16, 7, true), log::add);
        double seconds = (System.nanoTime() - start) / 1e9;
        Trainer.Evaluation test = Trainer.evaluate(g, bars(200, 99), 64);
        System.out.printf("TRAIN bars: %.2fs, test accuracy %.3f, loss %.4f -> %.4f%n", seconds, test.accuracy(), before, test.loss());
        assertTrue(test.accuracy() >= 0.99, "test accuracy " + test.accuracy());
        assertTrue(test.loss() < before / 4, "loss " + before + " -> " + test.loss());
        // Progress: one report per step, epochs counted from 1, the learning rate decaying.
        assertEquals(10 * 32, log.size());
        assertEquals(1, log.get(0).epoch());
        assertTrue(log.get(log.size() - 1).endOfEpoch());
        assertTrue(log.get(log.size() - 1).learningRate() < log.get(0).learningRate());
        assertTrue(log.get(0).bar(20).startsWith("epoch 1/10 ["), log.get(0).bar(20));
        int[][] confusion = test.confusion(bars(200, 99).labels(), 2);
        assertEquals(200, confusion[0][0] + confusion[0][1] + confusion[1][0] + confusion[1][1]);
    }

    @Test
    void sameSeedGivesIdenticalWeights() {
        Map<String, Tensor> a = train(11, new ArrayList<>());
        Map<String, Tensor> b = train(11, new ArrayList<>());
        Map<String, Tensor> c = train(12, new ArrayList<>());
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).data(), b.get(name).data(), name);
        }
        assertFalse(java.util.Arrays.equals(a.get("conv1.weight").data(), c.get("conv1.weight").data()));
    }

    /** Normalisation constants are part of the graph but not trained. */
    @Test
    void normalisationInsideTheModelIsNotTrained() {
        Graph g = new ModelBuilder(1, 8, 8, 3).normalize(0.5f, 0.25f).conv(4, 3, 1).relu().maxPool(2).flatten().dense(2).build();
        Trainer t = new Trainer(g, new Adam(0.01), ModelBuilder::isTrainable);
        assertFalse(t.parameterNames().contains("input.mean"));
        assertEquals(List.of("Sub", "Div", "Conv"), g.nodes().subList(0, 3).stream().map(n -> n.type()).toList());
        t.fit(bars(64, 2), new Trainer.Schedule(1, 16, 3, false), null);
        assertEquals(0.5f, g.constants().get("input.mean").data()[0]);
        assertEquals(0.25f, g.constants().get("input.std").data()[0]);
        // Without the filter every differentiable constant would be trained, the normalisation included.
        assertTrue(Trainer.parameters(g).containsKey("input.std"));
    }

    /**
     * The conv kernel caches packed weights per array; a step changes the arrays in place, so the
     * next forward pass must see the new values, exactly as a graph with fresh copies would.
     */
    @Test
    void forwardAfterAStepUsesTheUpdatedWeights() {
        for (Optimizer opt : new Optimizer[] {new Adam(0.05), new Sgd(0.1, 0.9)}) {
            Graph g = new ModelBuilder(2, 16, 16, 4).conv(8, 3, 1).relu().conv(8, 3, 1).flatten().dense(3).build();
            Random rnd = new Random(8);
            Tensor x = Tensor.zeros(4, 2, 16, 16);
            for (int i = 0; i < x.size(); i++) {
                x.data()[i] = (float) rnd.nextGaussian();
            }
            Executor.forward(g, x); // packs the conv weights
            new Trainer(g, opt).step(x, new int[] {0, 1, 2, 0});
            Map<String, Tensor> copies = new java.util.LinkedHashMap<>();
            g.constants().forEach((k, v) -> copies.put(k, v.copy()));
            Graph fresh = new Graph(g.nodes(), copies, g.inputs(), g.outputs());
            assertArrayEquals(Executor.forward(fresh, x).output().data(), Executor.forward(g, x).output().data(),
                    opt.getClass().getSimpleName());
        }
    }

    @Test
    void heInitialisationHasTheExpectedRange() {
        Graph g = new ModelBuilder(3, 8, 8, 1).conv(16, 3, 1).relu().flatten().dense(10).build();
        float bound = (float) Math.sqrt(6.0 / 27);
        float max = 0;
        for (float v : g.constants().get("conv1.weight").data()) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= bound && max > 0.8f * bound, "max |w| " + max + " vs bound " + bound);
        assertArrayEquals(new int[] {10, 16 * 8 * 8}, g.constants().get("fc1.weight").shape());
        assertArrayEquals(new int[] {-1, 10}, g.outputs().get(0).shape());
    }
}
