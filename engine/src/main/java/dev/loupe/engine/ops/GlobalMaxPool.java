package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.Pooling;

/**
 * ONNX GlobalMaxPool: the max over all spatial axes. Saves switches like {@link MaxPool} (same
 * layout, so {@link MaxPool#switches} and {@link MaxPool#inputShape} read them too).
 */
public final class GlobalMaxPool implements Op {
    @Override
    public String type() {
        return "GlobalMaxPool";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        int[] xs = inputs[0].shape();
        int planes = GlobalAveragePool.planes(type(), xs);
        int inner = inputs[0].size() / Math.max(1, planes);
        float[] x = inputs[0].data();
        float[] y = new float[planes];
        int[] switches = new int[planes];
        for (int p = 0; p < planes; p++) {
            int arg = -1;
            float best = Pooling.EMPTY_MAX;
            for (int i = p * inner, e = i + inner; i < e; i++) {
                float v = x[i];
                if (arg < 0 || v > best || (v != v && best == best)) {
                    best = v;
                    arg = i;
                }
            }
            y[p] = best;
            switches[p] = arg;
        }
        saved.put(switches, xs);
        return new Tensor[] {new Tensor(GlobalAveragePool.pooledShape(xs), y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor[] result = new Tensor[needInputGrad.length];
        if (needInputGrad[0] && gradOutputs[0] != null) {
            int[] xs = MaxPool.inputShape(saved);
            float[] gx = new float[(int) Tensor.sizeOf(xs)];
            Pooling.unpool(MaxPool.switches(saved), gradOutputs[0].data(), gx);
            result[0] = new Tensor(xs, gx);
        }
        return result;
    }
}
