package dev.loupe.engine.ops;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import java.util.Arrays;

/** ONNX GlobalAveragePool: the mean over all spatial axes, {@code [N, C, ...] -> [N, C, 1, ...]}. */
public final class GlobalAveragePool implements Op {
    @Override
    public String type() {
        return "GlobalAveragePool";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        int[] xs = inputs[0].shape();
        int planes = planes(type(), xs);
        int inner = inputs[0].size() / Math.max(1, planes);
        float[] x = inputs[0].data();
        float[] y = new float[planes];
        for (int p = 0; p < planes; p++) {
            // Summed in double: a 56x56 plane in float loses digits the explanation maps can show.
            double sum = 0;
            for (int i = p * inner, e = i + inner; i < e; i++) {
                sum += x[i];
            }
            y[p] = (float) (sum / inner);
        }
        saved.put((Object) xs);
        return new Tensor[] {new Tensor(pooledShape(xs), y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor[] result = new Tensor[needInputGrad.length];
        if (needInputGrad[0] && gradOutputs[0] != null) {
            int[] xs = saved.get(0);
            float[] gy = gradOutputs[0].data();
            int inner = (int) (Tensor.sizeOf(xs) / Math.max(1, gy.length));
            float[] gx = Buffers.output(gy.length * inner);
            for (int p = 0; p < gy.length; p++) {
                Arrays.fill(gx, p * inner, (p + 1) * inner, gy[p] / inner);
            }
            result[0] = new Tensor(xs, gx);
        }
        return result;
    }

    /** N*C, checking the input has at least one spatial axis. */
    static int planes(String op, int[] xs) {
        if (xs.length < 3) {
            throw new ShapeMismatchException(op + " expects [N, C, spatial...] (rank >= 3), got " + Arrays.toString(xs));
        }
        return xs[0] * xs[1];
    }

    /** {@code [N, C, 1, ..., 1]} of the same rank. */
    static int[] pooledShape(int[] xs) {
        int[] s = new int[xs.length];
        Arrays.fill(s, 1);
        s[0] = xs[0];
        s[1] = xs[1];
        return s;
    }
}
