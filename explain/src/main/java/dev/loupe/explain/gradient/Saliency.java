package dev.loupe.explain.gradient;

import dev.loupe.explain.rules.Composites;

/**
 * Vanilla gradient saliency (Simonyan et al.): {@code d y_c / d x}, signed, without the absolute
 * value or channel maximum (those are rendering choices; Captum's {@code Saliency(abs=False)}).
 */
public final class Saliency extends ModifiedBackprop {
    public Saliency() {
        super("saliency", Composites.gradient());
    }
}
