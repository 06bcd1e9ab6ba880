package dev.loupe.explain.gradient;

import dev.loupe.explain.rules.Composites;

/** DeconvNet backpropagation: ReLUs pass only positive gradients, ignoring the forward mask. */
public final class DeconvNet extends ModifiedBackprop {
    public DeconvNet() {
        super("deconvnet", Composites.deconvnet());
    }
}
