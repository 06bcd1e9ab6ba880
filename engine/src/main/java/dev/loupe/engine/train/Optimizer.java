package dev.loupe.engine.train;

import dev.loupe.engine.Tensor;
import java.util.Map;

/**
 * Updates parameters in place from their gradients. An optimizer keeps per-parameter state
 * (momentum, moment estimates) by name, so one instance serves one set of parameters.
 */
public interface Optimizer {
    /**
     * One update: changes the {@code float[]} of every tensor in {@code params} that has a
     * gradient in {@code grads} (same name, same shape), and drops the kernels' packed copies of
     * those arrays ({@link dev.loupe.engine.kernels.Gemm#forgetPacked}) so the next forward pass
     * sees the new values. Gradients are not modified.
     */
    void step(Map<String, Tensor> params, Map<String, Tensor> grads);

    double learningRate();

    /** Sets the step size from now on, for a schedule. */
    void setLearningRate(double lr);
}
