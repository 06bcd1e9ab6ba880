package dev.loupe.explain.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.RuleBinding;
import dev.loupe.engine.RuleComposite;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.ops.BatchNormalization;
import dev.loupe.engine.ops.Conv;
import dev.loupe.engine.ops.Flatten;
import dev.loupe.engine.ops.Gemm;
import dev.loupe.engine.ops.GlobalAveragePool;
import dev.loupe.engine.ops.MaxPool;
import dev.loupe.engine.ops.Relu;
import dev.loupe.engine.ops.WindowAttrs;
import dev.loupe.explain.Attributor;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import dev.loupe.explain.Target;
import dev.loupe.explain.rules.Composites;
import dev.loupe.explain.testing.SyntheticModels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Summing gradients where the affine stem ends gives what summing input gradients gives: SmoothGrad
 * and integrated gradients with the stem against the same methods without it, on a model of the
 * engine's real ops (conv, batch norm, ReLU, max pool, global pool, dense).
 */
class AffineStemTest {
    private static final WindowAttrs SAME_3X3 = WindowAttrs.of(null, new int[] {1, 1}, new int[] {1, 1, 1, 1});

    /** conv -> batch norm -> ReLU -> max pool -> conv -> ReLU -> global pool -> dense; stem = conv, bn. */
    static Graph convNet(long seed, boolean withBatchNorm) {
        Random rnd = new Random(seed);
        Map<String, Tensor> k = new LinkedHashMap<>();
        k.put("w1", random(rnd, 0.4f, 6, 3, 3, 3));
        k.put("b1", random(rnd, 0.1f, 6));
        k.put("w2", random(rnd, 0.3f, 6, 6, 3, 3));
        k.put("b2", random(rnd, 0.1f, 6));
        k.put("fc", random(rnd, 0.5f, 4, 6));
        k.put("fcb", random(rnd, 0.1f, 4));
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node("conv1", new Conv(1, SAME_3X3), List.of("x", "w1", "b1"), List.of("c1")));
        String pre = "c1";
        if (withBatchNorm) {
            k.put("scale", random(rnd, 1f, 6));
            k.put("shift", random(rnd, 0.2f, 6));
            k.put("mean", random(rnd, 0.2f, 6));
            Tensor var = random(rnd, 1f, 6);
            for (int i = 0; i < 6; i++) {
                var.data()[i] = Math.abs(var.data()[i]) + 0.5f;
            }
            k.put("var", var);
            nodes.add(new Node("bn1", new BatchNormalization(1e-5f), List.of("c1", "scale", "shift", "mean", "var"), List.of("n1")));
            pre = "n1";
        }
        nodes.add(new Node("relu1", new Relu(), List.of(pre), List.of("r1")));
        nodes.add(new Node("pool", new MaxPool(WindowAttrs.of(new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0, 0, 0})),
                List.of("r1"), List.of("p1")));
        nodes.add(new Node("conv2", new Conv(1, SAME_3X3), List.of("p1", "w2", "b2"), List.of("c2")));
        nodes.add(new Node("relu2", new Relu(), List.of("c2"), List.of("r2")));
        nodes.add(new Node("gap", new GlobalAveragePool(), List.of("r2"), List.of("g")));
        nodes.add(new Node("flat", new Flatten(1), List.of("g"), List.of("f")));
        nodes.add(new Node("fc", new Gemm(1, 1, false, true), List.of("f", "fc", "fcb"), List.of("logits")));
        return new Graph(nodes, k, List.of(ValueInfo.of("x", -1, 3, 12, 12)), List.of(ValueInfo.of("logits")));
    }

    private static Tensor random(Random rnd, float scale, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) rnd.nextGaussian() * scale;
        }
        return t;
    }

    @Test
    void theStemIsTheAffineChainBeforeTheFirstReluAndStopsAtABranch() {
        AffineStem stem = AffineStem.of(convNet(1, true)).orElseThrow();
        assertEquals("n1", stem.boundary());
        assertEquals(List.of("conv1", "bn1"), stem.nodes().stream().map(Node::name).toList());
        assertEquals("c1", AffineStem.of(convNet(1, false)).orElseThrow().boundary());
        // A model that starts with a ReLU has none.
        Graph reluFirst = new Graph(List.of(new Node("r", new Relu(), List.of("x"), List.of("y"))), Map.of(),
                List.of(ValueInfo.of("x", -1, 3, 4, 4)), List.of(ValueInfo.of("y")));
        assertTrue(AffineStem.of(reluFirst).isEmpty());
        // A value read twice ends the chain: after the conv when its output branches, at once when the input does.
        Graph withBn = convNet(1, true);
        assertEquals("c1", AffineStem.of(withExtraReader(withBn, "c1")).orElseThrow().boundary());
        assertTrue(AffineStem.of(withExtraReader(withBn, "x")).isEmpty());
        Graph g = convNet(1, false);
        // Weights computed by the graph are not constants: not a stem.
        List<Node> computed = new ArrayList<>();
        computed.add(new Node("neg", new Relu(), List.of("w1"), List.of("w1r")));
        computed.add(new Node("conv1", new Conv(1, SAME_3X3), List.of("x", "w1r", "b1"), List.of("c1")));
        computed.addAll(g.nodes().subList(1, g.nodes().size()));
        Graph computedWeights = new Graph(computed, g.constants(), g.inputs(), g.outputs());
        assertTrue(AffineStem.of(computedWeights).isEmpty());
    }

    /** g with one more node, a ReLU reading {@code value}, whose output is a second graph output. */
    private static Graph withExtraReader(Graph g, String value) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        nodes.add(new Node("tap", new Relu(), List.of(value), List.of("tapped")));
        return new Graph(nodes, g.constants(), g.inputs(), List.of(ValueInfo.of("logits"), ValueInfo.of("tapped")));
    }

    @Test
    void aRuleOnAStemNodeTurnsTheShortcutOff() {
        Graph g = convNet(2, true);
        AffineStem stem = AffineStem.of(g).orElseThrow();
        // The ReLU composites leave the stem alone.
        assertTrue(stem.plainUnder(g, Composites.guided()));
        RuleComposite onConv = RuleComposite.forType("Conv", (node, saved, gOut, need) -> node.op().backward(saved, gOut, need));
        assertFalse(stem.plainUnder(g, onConv));
        // A rule bound on the model's graph by someone else counts too: the stem's own graph would miss it.
        try (RuleBinding b = g.bindRules(onConv)) {
            assertFalse(stem.plainUnder(g, Composites.gradient()));
        }
        try (RuleBinding b = g.bindRules(Composites.deconvnet())) {
            assertTrue(stem.plainUnder(g, Composites.gradient()));
        }
    }

    /** The same method through an attributor that is not a {@link ModifiedBackprop}: no shortcut. */
    private static Attributor opaque(ModifiedBackprop m) {
        return (trace, target, context) -> m.attribute(trace, target, context);
    }

    @Test
    void smoothGradWithTheStemMatchesSmoothGradWithout() {
        for (boolean bn : new boolean[] {false, true}) {
            Graph g = convNet(3, bn);
            Tensor x = SyntheticModels.randomImage(4, 2, 3, 12, 12);
            Trace t = Explainers.forward(g, x);
            ResolvedTarget rt = Target.of(1).resolve(t.get("logits"));
            for (ModifiedBackprop m : new ModifiedBackprop[] {new Saliency(), new GuidedBackprop(), new DeconvNet()}) {
                for (int batch : new int[] {1, 4, 16}) {
                    SmoothGrad.Options o = new SmoothGrad.Options(11, 0.2, batch, 5);
                    Tensor fast = new SmoothGrad(m, o).attribute(t, rt, RunContext.quiet());
                    Tensor plain = new SmoothGrad(opaque(m), o).attribute(t, rt, RunContext.quiet());
                    assertClose(plain, fast, m.name() + " bn " + bn + " batch " + batch);
                }
            }
        }
    }

    @Test
    void smoothGradWithoutNoiseStillEqualsItsBaseMethod() {
        Graph g = convNet(5, true);
        Tensor x = SyntheticModels.randomImage(6, 1, 3, 12, 12);
        Trace t = Explainers.forward(g, x);
        ResolvedTarget rt = Target.of(2).resolve(t.get("logits"));
        Tensor saliency = new Saliency().attribute(t, rt, RunContext.quiet());
        Tensor sg = new SmoothGrad(new Saliency(), new SmoothGrad.Options(6, 0, 4, 1)).attribute(t, rt, RunContext.quiet());
        assertClose(saliency, sg, "zero noise");
    }

    @Test
    void integratedGradientsWithTheStemMatchWithout() {
        // The path points run through the whole model either way; only where the gradients are summed differs.
        for (boolean bn : new boolean[] {false, true}) {
            Graph g = convNet(7, bn);
            Tensor x = SyntheticModels.randomImage(8, 2, 3, 12, 12);
            Trace t = Explainers.forward(g, x);
            ResolvedTarget rt = Target.of(3).resolve(t.get("logits"));
            for (Quadrature.Rule rule : Quadrature.Rule.values()) {
                IntegratedGradients.Options o = new IntegratedGradients.Options(13, IntegratedGradients.blurBaseline(1.5), rule, 5);
                Tensor fast = new IntegratedGradients(o).attribute(t, rt, RunContext.quiet(), true);
                Tensor plain = new IntegratedGradients(o).attribute(t, rt, RunContext.quiet(), false);
                assertClose(plain, fast, "bn " + bn + " " + rule);
            }
        }
    }

    /**
     * Equal up to float rounding in a different order of additions, relative to the map's scale.
     * A ReLU whose input sits within rounding of zero could flip between the two paths; these
     * models and seeds have none, so any real difference shows.
     */
    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertEquals(List.of(expected.shape().length), List.of(actual.shape().length), what);
        double scale = 0;
        for (float v : expected.data()) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 0, what + ": an all-zero map tests nothing");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.data()[i], actual.data()[i], 2e-6 * scale, what + " at " + i);
        }
    }
}
