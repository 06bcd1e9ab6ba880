package dev.loupe.explain.gradient;

import dev.loupe.engine.Graph;
import dev.loupe.engine.RuleBinding;
import dev.loupe.engine.RuleComposite;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Attributor;
import dev.loupe.explain.Models;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import java.util.List;
import java.util.Map;

/**
 * One backward pass from the target score to the input under a rule composite: the shared core of
 * saliency, DeconvNet and guided backpropagation. The composite is bound on the trace's graph only
 * for the duration of the pass. Bindings are graph-wide, so two threads explaining with different
 * rules must not share a graph object.
 */
public class ModifiedBackprop implements Attributor {
    private final String name;
    private final RuleComposite composite;

    protected ModifiedBackprop(String name, RuleComposite composite) {
        this.name = name;
        this.composite = composite;
    }

    @Override
    public String name() {
        return name;
    }

    /** The rules this method's backward pass runs under. */
    public RuleComposite composite() {
        return composite;
    }

    @Override
    public Tensor attribute(Trace trace, ResolvedTarget target, RunContext context) {
        return gradient(trace, target, composite, Models.inputName(trace.graph()), context);
    }

    /** The gradient of the target score with respect to tensor {@code wrt} under {@code composite}. */
    public static Tensor gradient(Trace trace, ResolvedTarget target, RuleComposite composite, String wrt, RunContext context) {
        Graph graph = trace.graph();
        String out = Models.outputName(graph);
        Tensor seed = target.seed(trace.get(out));
        try (RuleBinding binding = graph.bindRules(composite)) {
            context.countBackward();
            return trace.backward(Map.of(out, seed), List.of(wrt)).get(wrt);
        }
    }
}
