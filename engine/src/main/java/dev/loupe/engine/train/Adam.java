package dev.loupe.engine.train;

import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.Gemm;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam (Kingma and Ba, 2015) with bias correction, as PyTorch's {@code torch.optim.Adam}:
 * {@code m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; w -= lr·m̂/(√v̂ + ε)} with
 * {@code m̂ = m/(1-β1^t)}, {@code v̂ = v/(1-β2^t)}. The step count t is shared by all parameters.
 */
public final class Adam implements Optimizer {
    private double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final Map<String, float[][]> moments = new HashMap<>();
    private long t;

    public Adam(double lr, double beta1, double beta2, double eps) {
        if (lr <= 0 || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0) {
            throw new IllegalArgumentException("Adam needs lr > 0, betas in [0, 1) and eps > 0; got lr " + lr + ", betas "
                    + beta1 + ", " + beta2 + ", eps " + eps);
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** The usual defaults: betas 0.9 and 0.999, epsilon 1e-8. */
    public Adam(double lr) {
        this(lr, 0.9, 0.999, 1e-8);
    }

    @Override
    public void step(Map<String, Tensor> params, Map<String, Tensor> grads) {
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        // w -= lr/c1 · m / (√v/√c2 + ε), folded into two constants.
        float stepSize = (float) (lr / c1);
        float sqrtC2 = (float) Math.sqrt(c2);
        float e = (float) eps;
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            Tensor g = grads.get(p.getKey());
            if (g == null) {
                continue;
            }
            float[] w = p.getValue().data();
            float[] gd = checked(p.getKey(), p.getValue(), g);
            float[][] mv = moments.computeIfAbsent(p.getKey(), k -> new float[][] {new float[w.length], new float[w.length]});
            float[] m = mv[0];
            float[] v = mv[1];
            for (int i = 0; i < w.length; i++) {
                float gi = gd[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / sqrtC2 + e);
            }
            // The kernels cache packed copies of weight arrays; this one just changed.
            Gemm.forgetPacked(w);
        }
    }

    static float[] checked(String name, Tensor param, Tensor grad) {
        if (!param.sameShape(grad)) {
            throw new ShapeMismatchException("gradient for '" + name + "' has shape " + Tensor.shapeString(grad.shape())
                    + " but the parameter has " + Tensor.shapeString(param.shape()));
        }
        return grad.data();
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
