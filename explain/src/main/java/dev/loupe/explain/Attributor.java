package dev.loupe.explain;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;

/**
 * An attribution method at input level: given the trace of a forward pass on a batch, returns one
 * attribution per item, shaped like the batch. Methods that need only backward passes use the
 * trace's activations; methods that need more forward passes (integrated gradients) read the input
 * from it and run their own. Because every method fits this shape, SmoothGrad can wrap any of them.
 */
@FunctionalInterface
public interface Attributor {
    Tensor attribute(Trace trace, ResolvedTarget target, RunContext context);

    /** A name for reports; defaults to the class name. */
    default String name() {
        return getClass().getSimpleName();
    }
}
