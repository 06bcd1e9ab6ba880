package dev.loupe.engine;

/**
 * An op that can apply a following ReLU while it writes its output. Only forward-only evaluation
 * ({@link Executor#evaluate}) uses it, and only where nothing else reads the op's own output: a
 * traced pass keeps both tensors, since backward rules target the ReLU node and any activation
 * can be tapped.
 */
public interface FusesRelu {
    /** {@code max(op(inputs), 0)}, bit-identical to running the op and then {@code Relu}. Inputs not modified. */
    Tensor forwardWithRelu(Tensor[] inputs);
}
