package dev.loupe.engine.train;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.Gemm;
import java.util.HashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with (heavy-ball) momentum and optional L2 weight decay, as
 * PyTorch's {@code torch.optim.SGD}: {@code v = μ·v + (g + λ·w); w -= lr·v}.
 */
public final class Sgd implements Optimizer {
    private double lr;
    private final double momentum;
    private final double weightDecay;
    private final Map<String, float[]> velocity = new HashMap<>();

    public Sgd(double lr, double momentum, double weightDecay) {
        if (lr <= 0 || momentum < 0 || momentum >= 1 || weightDecay < 0) {
            throw new IllegalArgumentException("SGD needs lr > 0, 0 <= momentum < 1 and weight decay >= 0; got lr " + lr
                    + ", momentum " + momentum + ", weight decay " + weightDecay);
        }
        this.lr = lr;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    public Sgd(double lr, double momentum) {
        this(lr, momentum, 0);
    }

    @Override
    public void step(Map<String, Tensor> params, Map<String, Tensor> grads) {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor g = grads.get(e.getKey());
            if (g == null) {
                continue;
            }
            float[] w = e.getValue().data();
            float[] gd = Adam.checked(e.getKey(), e.getValue(), g);
            float[] v = velocity.computeIfAbsent(e.getKey(), k -> new float[w.length]);
            float mu = (float) momentum;
            float wd = (float) weightDecay;
            float step = (float) lr;
            for (int i = 0; i < w.length; i++) {
                float d = gd[i] + wd * w[i];
                v[i] = mu * v[i] + d;
                w[i] -= step * v[i];
            }
            // The kernels cache packed copies of weight arrays; this one just changed.
            Gemm.forgetPacked(w);
        }
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        this.lr = lr;
    }
}
