package dev.loupe.engine.ops;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import java.util.Arrays;

/**
 * ONNX BatchNormalization in inference mode: {@code y = scale * (x - mean) / sqrt(var + epsilon) + B}
 * per channel (axis 1) of a rank >= 2 input. It is affine in x, so backward scales the gradient
 * by {@code scale / sqrt(var + epsilon)}. When asked (training with fixed statistics), it also
 * gives {@code dscale = Σ dy·(x - mean)/sqrt(var + epsilon)} and {@code dB = Σ dy} per channel;
 * mean and var are statistics, not trained, and have no gradient.
 */
public final class BatchNormalization implements Op {
    private final float epsilon;

    public BatchNormalization(float epsilon) {
        this.epsilon = epsilon;
    }

    static BatchNormalization fromAttributes(Attributes a) {
        if (a.getLong("training_mode", 0) != 0) {
            throw new UnsupportedOpException("BatchNormalization with training_mode=1 is not supported; export the model in eval mode");
        }
        return new BatchNormalization(a.getFloat("epsilon", 1e-5f));
    }

    @Override
    public String type() {
        return "BatchNormalization";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex >= 0 && inputIndex <= 2;
    }

    /** Inference-mode normalisation: a fixed scale and shift per channel, item by item. */
    @Override
    public boolean isAffinePerItem() {
        return true;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] xs = x.shape();
        if (xs.length < 2) {
            throw new ShapeMismatchException("BatchNormalization expects [N, C, ...] (rank >= 2), got " + Arrays.toString(xs));
        }
        int c = xs[1];
        String[] names = {"scale", "B", "mean", "var"};
        for (int i = 1; i <= 4; i++) {
            if (inputs.length <= i || inputs[i] == null || inputs[i].size() != c) {
                throw new ShapeMismatchException("BatchNormalization " + names[i - 1] + " must have " + c + " values (one per channel of "
                        + Arrays.toString(xs) + "), got " + (inputs.length <= i || inputs[i] == null ? "none" : Arrays.toString(inputs[i].shape())));
            }
        }
        float[] factor = new float[c];
        float[] shift = new float[c];
        float[] invStd = new float[c];
        for (int ch = 0; ch < c; ch++) {
            invStd[ch] = (float) (1 / Math.sqrt((double) inputs[4].data()[ch] + epsilon));
            double f = inputs[1].data()[ch] / Math.sqrt((double) inputs[4].data()[ch] + epsilon);
            factor[ch] = (float) f;
            shift[ch] = (float) (inputs[2].data()[ch] - inputs[3].data()[ch] * f);
        }
        int inner = (int) (x.size() / Math.max(1L, (long) xs[0] * c));
        float[] xd = x.data();
        float[] y = Buffers.output(xd.length);
        for (int p = 0; p < xs[0] * c; p++) {
            float f = factor[p % c];
            float s = shift[p % c];
            for (int i = p * inner, e = i + inner; i < e; i++) {
                y[i] = xd[i] * f + s;
            }
        }
        saved.put(factor, xs, x, inputs[3], invStd, inputs[1].shape(), inputs[2].shape());
        return new Tensor[] {new Tensor(xs, y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor[] result = new Tensor[needInputGrad.length];
        if (needInputGrad[0] && gradOutputs[0] != null) {
            float[] factor = saved.get(0);
            int[] xs = saved.get(1);
            int c = factor.length;
            float[] gy = gradOutputs[0].data();
            int inner = gy.length / Math.max(1, xs[0] * c);
            float[] gx = new float[gy.length];
            for (int p = 0; p < xs[0] * c; p++) {
                float f = factor[p % c];
                for (int i = p * inner, e = i + inner; i < e; i++) {
                    gx[i] = gy[i] * f;
                }
            }
            result[0] = new Tensor(xs, gx);
        }
        boolean needScale = needInputGrad.length > 1 && needInputGrad[1];
        boolean needBias = needInputGrad.length > 2 && needInputGrad[2];
        if ((needScale || needBias) && gradOutputs[0] != null) {
            int[] xs = saved.get(1);
            float[] x = saved.tensor(2).data();
            float[] mean = saved.tensor(3).data();
            float[] invStd = saved.get(4);
            int c = invStd.length;
            float[] gy = gradOutputs[0].data();
            int inner = gy.length / Math.max(1, xs[0] * c);
            double[] dScale = new double[c];
            double[] dBias = new double[c];
            for (int p = 0; p < xs[0] * c; p++) {
                int ch = p % c;
                double sy = 0;
                double sxy = 0;
                for (int i = p * inner, e = i + inner; i < e; i++) {
                    sy += gy[i];
                    sxy += (double) gy[i] * (x[i] - mean[ch]);
                }
                dBias[ch] += sy;
                dScale[ch] += sxy * invStd[ch];
            }
            if (needScale) {
                result[1] = new Tensor(saved.<int[]>get(5), toFloat(dScale));
            }
            if (needBias) {
                result[2] = new Tensor(saved.<int[]>get(6), toFloat(dBias));
            }
        }
        return result;
    }

    public float epsilon() {
        return epsilon;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
