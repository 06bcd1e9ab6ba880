package dev.loupe.engine.ops;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.Pooling;
import dev.loupe.engine.kernels.Window2d;
import java.util.Arrays;

/**
 * 2-D max pooling (ONNX MaxPool, NCHW). Keeps what it needs to find the argmax "switches" (flat input
 * index per output element) on first use, which the backward pass scatters to and DeconvNet's unpooling reuses via
 * {@link #switches(Saved)}. The optional Indices output is not produced; storage_order is ignored.
 */
public final class MaxPool implements Op {
    private final WindowAttrs window;

    public MaxPool(WindowAttrs window) {
        if (window.kernelShape() == null) {
            throw new UnsupportedOpException("MaxPool needs kernel_shape");
        }
        this.window = window;
    }

    static MaxPool fromAttributes(Attributes a) {
        return new MaxPool(WindowAttrs.from("MaxPool", a, true));
    }

    @Override
    public String type() {
        return "MaxPool";
    }

    public WindowAttrs window() {
        return window;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] xs = x.shape();
        Window2d g = geometry("MaxPool", window, xs);
        int planes = xs[0] * xs[1];
        float[] y = Buffers.output(planes * g.outPlane());
        Pooling.maxPool(x.data(), planes, g, y);
        // Switches are found only if a backward pass asks (forward-only work never pays for them).
        saved.put(new Switches(x.data(), planes, g, y), xs);
        return new Tensor[] {new Tensor(new int[] {xs[0], xs[1], g.oh(), g.ow()}, y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor[] result = new Tensor[needInputGrad.length];
        if (needInputGrad[0] && gradOutputs[0] != null) {
            int[] xs = inputShape(saved);
            float[] gx = Buffers.output((int) Tensor.sizeOf(xs));
            Pooling.unpoolPlanes(switches(saved), gradOutputs[0].data(), gx, xs[0] * xs[1]);
            result[0] = new Tensor(xs, gx);
        }
        return result;
    }

    /**
     * The switches a MaxPool forward pass saved: for each output element (in output order), the
     * flat index into the input of the pixel that won, or -1 for a window without input pixels.
     * Read-only. Use {@link Pooling#unpool} to route values back through them.
     */
    public static int[] switches(Saved saved) {
        Object s = saved.get(0);
        // GlobalMaxPool saves its switches directly.
        return s instanceof Switches lazy ? lazy.get() : (int[]) s;
    }

    /** The argmax of a forward pass, computed on first use from its input and output. */
    private static final class Switches {
        private final float[] x;
        private final int planes;
        private final Window2d g;
        private final float[] y;
        private int[] switches;

        Switches(float[] x, int planes, Window2d g, float[] y) {
            this.x = x;
            this.planes = planes;
            this.g = g;
            this.y = y;
        }

        synchronized int[] get() {
            if (switches == null) {
                switches = Buffers.outputIntsFor(y, y.length);
                Pooling.maxPoolSwitches(x, planes, g, y, switches);
            }
            return switches;
        }
    }

    /** The input shape of the MaxPool forward pass that filled {@code saved}. */
    public static int[] inputShape(Saved saved) {
        int[] s = saved.get(1);
        return s.clone();
    }

    /** The 2-D window over a rank-4 input, or a clear error for other ranks. */
    static Window2d geometry(String op, WindowAttrs window, int[] xs) {
        if (xs.length != 4) {
            throw new UnsupportedOpException(op + " supports 2-D images (rank-4 NCHW input) only, got input shape " + Arrays.toString(xs));
        }
        return window.resolve(xs[2], xs[3], window.kernelShape()[0], window.kernelShape()[1]);
    }
}
