package dev.loupe.train;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.train.Optimizer;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", 2019;
 * PyTorch's {@code AdamW}) around another optimizer: before each of its steps, every parameter
 * that {@code decays} selects and that has a gradient is multiplied by {@code 1 - lr·λ}, with
 * {@code lr} the current (scheduled) learning rate. The wrapped optimizer's step follows and, as
 * the {@link Optimizer} contract asks, drops the kernels' packed copies of the changed arrays.
 */
public final class WeightDecay implements Optimizer {
    private final Optimizer inner;
    private final double lambda;
    private final Predicate<String> decays;

    /**
     * @param lambda the decay λ per unit of learning rate (&gt;= 0)
     * @param decays which parameters decay, by name (usually the weights, not the biases)
     */
    public WeightDecay(Optimizer inner, double lambda, Predicate<String> decays) {
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + lambda);
        }
        this.inner = inner;
        this.lambda = lambda;
        this.decays = decays;
    }

    /** Only convolution weights decay: not their biases, and not the fully connected layer. */
    public static boolean isConvWeight(String parameterName) {
        return parameterName.startsWith("conv") && parameterName.endsWith(".weight");
    }

    @Override
    public void step(Map<String, Tensor> params, Map<String, Tensor> grads) {
        float keep = (float) (1 - inner.learningRate() * lambda);
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            if (lambda == 0 || !grads.containsKey(p.getKey()) || !decays.test(p.getKey())) {
                continue;
            }
            float[] w = p.getValue().data();
            for (int i = 0; i < w.length; i++) {
                w[i] *= keep;
            }
        }
        inner.step(params, grads);
    }

    @Override
    public double learningRate() {
        return inner.learningRate();
    }

    @Override
    public void setLearningRate(double lr) {
        inner.setLearningRate(lr);
    }
}
