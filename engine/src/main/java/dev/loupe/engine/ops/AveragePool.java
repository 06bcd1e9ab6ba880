package dev.loupe.engine.ops;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.Pooling;
import dev.loupe.engine.kernels.Window2d;

/**
 * 2-D average pooling (ONNX AveragePool, NCHW). With {@code count_include_pad} the divisor counts
 * pad positions inside the padded input; in ceil mode, positions past the end pad are never
 * counted and windows starting in the end pad are dropped (PyTorch/ONNX Runtime semantics).
 */
public final class AveragePool implements Op {
    private final WindowAttrs window;
    private final boolean countIncludePad;

    public AveragePool(WindowAttrs window, boolean countIncludePad) {
        if (window.kernelShape() == null) {
            throw new UnsupportedOpException("AveragePool needs kernel_shape");
        }
        if (window.dilations()[0] != 1 || window.dilations()[1] != 1) {
            throw new UnsupportedOpException("AveragePool with dilations is not supported");
        }
        this.window = window;
        this.countIncludePad = countIncludePad;
    }

    static AveragePool fromAttributes(Attributes a) {
        return new AveragePool(WindowAttrs.from("AveragePool", a, true), a.getLong("count_include_pad", 0) != 0);
    }

    @Override
    public String type() {
        return "AveragePool";
    }

    public WindowAttrs window() {
        return window;
    }

    /** Whether pad positions count in a window's divisor. */
    public boolean countIncludePad() {
        return countIncludePad;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        int[] xs = inputs[0].shape();
        Window2d g = MaxPool.geometry("AveragePool", window, xs);
        int planes = xs[0] * xs[1];
        float[] y = Buffers.zeroed(planes * g.outPlane());
        Pooling.avgPool(inputs[0].data(), planes, g, countIncludePad, y);
        saved.put(g, xs);
        return new Tensor[] {new Tensor(new int[] {xs[0], xs[1], g.oh(), g.ow()}, y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor[] result = new Tensor[needInputGrad.length];
        if (needInputGrad[0] && gradOutputs[0] != null) {
            Window2d g = saved.get(0);
            int[] xs = saved.get(1);
            float[] gx = new float[(int) Tensor.sizeOf(xs)];
            Pooling.avgPoolBackward(gradOutputs[0].data(), xs[0] * xs[1], g, countIncludePad, gx);
            result[0] = new Tensor(xs, gx);
        }
        return result;
    }
}
