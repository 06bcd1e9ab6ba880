package dev.loupe.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.train.Sgd;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The heads, the weight decay, the biased defaults and the mark's share of a map; no data needed. */
class TrainingOptionsTest {
    @Test
    void maxPoolHeadKeepsTheInitialWeightsAndTakesEachChannelsMaximum() {
        Graph flat = FashionTraining.architecture(FashionTraining.Head.FLATTEN, 7);
        Graph max = FashionTraining.architecture(FashionTraining.Head.MAX_POOL, 7);
        assertArrayEquals(flat.constants().get("conv3.weight").data(), max.constants().get("conv3.weight").data(),
                "the convolutions are drawn from the seed in the same order");
        assertArrayEquals(new int[] {10, 64}, max.constants().get("fc1.weight").shape());
        assertTrue(max.nodes().stream().anyMatch(n -> n.type().equals("GlobalMaxPool") && n.name().equals("gmp1")));
        assertTrue(max.nodes().stream().noneMatch(n -> n.type().equals("GlobalAveragePool")));
        Tensor x = Tensor.zeros(2, 1, 28, 28);
        x.data()[100] = 1;
        var t = Executor.forward(max, x);
        Tensor relu3 = t.get(FashionTraining.LAST_CONV_OUTPUT);
        Tensor pooled = t.get("gmp1_out");
        for (int c = 0; c < 64; c++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < 49; i++) {
                m = Math.max(m, relu3.data()[c * 49 + i]);
            }
            assertEquals(m, pooled.data()[c]);
        }
        assertArrayEquals(new int[] {2, 10}, t.get("logits").shape());
    }

    @Test
    void headsParseByTheirCommandLineNames() {
        assertEquals(FashionTraining.Head.MAX_POOL, FashionTraining.Head.parse("max-pool"));
        assertEquals(FashionTraining.Head.FLATTEN, FashionTraining.Head.parse(" Flatten "));
        assertThrows(IllegalArgumentException.class, () -> FashionTraining.Head.parse("avg"));
    }

    @Test
    void biasedDefaultsDifferFromTheDefaultsOnlyInBiasHeadAndDecay() {
        FashionTraining.Options d = FashionTraining.Options.defaults();
        FashionTraining.Options b = FashionTraining.Options.biasedDefaults();
        assertEquals(d.withBiased(true).withHead(FashionTraining.Head.MAX_POOL).withWeightDecay(FashionTraining.BIASED_WEIGHT_DECAY), b);
        assertEquals(FashionTraining.Head.FLATTEN, d.head());
        assertEquals(0, d.weightDecay());
        assertThrows(IllegalArgumentException.class, () -> d.withWeightDecay(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withWeightDecay(1000));
    }

    @Test
    void weightDecayShrinksConvWeightsByLearningRateTimesLambdaBeforeTheStep() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("conv1.weight", new Tensor(new int[] {2}, new float[] {1, -2}));
        params.put("conv1.bias", new Tensor(new int[] {1}, new float[] {1}));
        params.put("fc1.weight", new Tensor(new int[] {1}, new float[] {1}));
        params.put("conv2.weight", new Tensor(new int[] {1}, new float[] {1}));
        Map<String, Tensor> grads = new LinkedHashMap<>();
        grads.put("conv1.weight", Tensor.zeros(2));
        grads.put("conv1.bias", Tensor.zeros(1));
        grads.put("fc1.weight", Tensor.zeros(1));
        // conv2.weight has no gradient: it is not touched.
        WeightDecay wd = new WeightDecay(new Sgd(0.1, 0), 2, WeightDecay::isConvWeight);
        wd.step(params, grads);
        assertArrayEquals(new float[] {0.8f, -1.6f}, params.get("conv1.weight").data(), 1e-6f);
        assertEquals(1f, params.get("conv1.bias").data()[0]);
        assertEquals(1f, params.get("fc1.weight").data()[0]);
        assertEquals(1f, params.get("conv2.weight").data()[0]);
        wd.setLearningRate(0.05);
        assertEquals(0.05, wd.learningRate());
        assertThrows(IllegalArgumentException.class, () -> new WeightDecay(new Sgd(0.1, 0), -1, n -> true));
    }

    @Test
    void markShareCountsTheDilatedSquare() {
        SpuriousMark m = SpuriousMark.DEFAULT;  // rows and columns 1..4
        Tensor map = Tensor.zeros(1, 1, 28, 28);
        map.data()[2 * 28 + 2] = -3;   // inside the square
        map.data()[5 * 28 + 5] = 1;    // on the one-pixel border around it
        map.data()[20 * 28 + 20] = 4;  // far away
        assertEquals(3 / 8.0, m.shareOf(map, 0), 1e-12);
        assertEquals(4 / 8.0, m.shareOf(map, 1), 1e-12);
        assertEquals(0, m.shareOf(Tensor.zeros(1, 1, 28, 28), 1));
        assertThrows(IllegalArgumentException.class, () -> m.shareOf(Tensor.zeros(1, 1, 28, 14), 1));
    }
}
