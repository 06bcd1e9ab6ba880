package dev.loupe.explain.gradient;

import dev.loupe.explain.rules.Composites;

/** Guided backpropagation: ReLUs pass positive gradients where the forward activation was positive. */
public final class GuidedBackprop extends ModifiedBackprop {
    public GuidedBackprop() {
        super("guided-backprop", Composites.guided());
    }
}
