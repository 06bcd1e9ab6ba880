package dev.loupe.engine.train;

import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;

/**
 * The softmax cross-entropy loss of a batch of logits {@code [N, C]} against class labels, averaged
 * over the batch: {@code L = (1/N) Σ_b (logsumexp(z_b) - z_b[y_b])}, with the log-sum-exp taken
 * after subtracting the row maximum so large logits cannot overflow. Its gradient with respect to
 * the logits is {@code (softmax(z_b) - onehot(y_b)) / N}.
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {
    }

    /**
     * @param loss the mean loss over the batch
     * @param gradient dL/dlogits, shaped like the logits
     * @param correct how many rows have their label as the (first) largest logit
     */
    public record Result(double loss, Tensor gradient, int correct) {
    }

    /**
     * @throws IllegalArgumentException when the logits are not {@code [N, C]}, the label count is not
     *     N, or a label is outside {@code [0, C)}
     */
    public static Result compute(Tensor logits, int[] labels) {
        if (logits.rank() != 2) {
            throw new ShapeMismatchException("the loss needs logits of shape [N, classes], got " + Tensor.shapeString(logits.shape())
                    + "; end the model with a Gemm (or Flatten) giving one score per class");
        }
        int n = logits.dim(0);
        int c = logits.dim(1);
        if (labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for a batch of " + n);
        }
        float[] z = logits.data();
        float[] g = new float[z.length];
        double total = 0;
        int correct = 0;
        for (int b = 0; b < n; b++) {
            int y = labels[b];
            if (y < 0 || y >= c) {
                throw new IllegalArgumentException("label " + y + " is out of range: the model has " + c + " classes (0.." + (c - 1) + ")");
            }
            int off = b * c;
            int arg = 0;
            float max = z[off];
            for (int j = 1; j < c; j++) {
                if (z[off + j] > max) {
                    max = z[off + j];
                    arg = j;
                }
            }
            if (arg == y) {
                correct++;
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += Math.exp((double) z[off + j] - max);
            }
            double logSum = Math.log(sum) + max;
            total += logSum - z[off + y];
            for (int j = 0; j < c; j++) {
                double p = Math.exp(z[off + j] - logSum);
                g[off + j] = (float) ((p - (j == y ? 1 : 0)) / n);
            }
        }
        return new Result(n == 0 ? 0 : total / n, new Tensor(logits.shape(), g), correct);
    }
}
