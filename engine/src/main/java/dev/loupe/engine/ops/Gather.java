package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * Picks entries along {@code axis} by index: with x of shape {@code [A, n, B]} around the axis and
 * indices of shape I, {@code y[a, i, b] = x[a, idx[i], b]} has shape {@code [A, I, B]}. Negative
 * indices count from the end. Backward adds each output gradient to the entry it was picked from
 * (repeated indices accumulate); the indices are not differentiable.
 */
public final class Gather implements Op {
    private final int axis;

    public Gather(int axis) {
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    @Override
    public String type() {
        return "Gather";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex == 0;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] in = x.shape();
        int ax = Shapes.axis(axis, in.length, "Gather");
        int n = in[ax];
        int[] idx = Shapes.ints(inputs[1]);
        for (int i = 0; i < idx.length; i++) {
            int v = idx[i];
            if (v < -n || v >= n) {
                throw new IllegalArgumentException("Gather: index " + v + " is out of range for axis " + ax + " of size " + n
                        + " in " + Shapes.str(in));
            }
            idx[i] = v < 0 ? v + n : v;
        }
        int[] is = inputs[1].shape();
        int[] out = new int[in.length - 1 + is.length];
        System.arraycopy(in, 0, out, 0, ax);
        System.arraycopy(is, 0, out, ax, is.length);
        System.arraycopy(in, ax + 1, out, ax + is.length, in.length - ax - 1);
        int outer = 1;
        for (int d = 0; d < ax; d++) {
            outer *= in[d];
        }
        int inner = 1;
        for (int d = ax + 1; d < in.length; d++) {
            inner *= in[d];
        }
        float[] src = x.data();
        float[] y = new float[outer * idx.length * inner];
        for (int o = 0, p = 0; o < outer; o++) {
            for (int k : idx) {
                System.arraycopy(src, (o * n + k) * inner, y, p, inner);
                p += inner;
            }
        }
        saved.put(in, idx, ax, inner);
        return new Tensor[] {new Tensor(out, y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[] in = saved.get(0);
        int[] idx = saved.get(1);
        int ax = saved.get(2);
        int inner = saved.get(3);
        int n = in[ax];
        float[] g = gradOutputs[0].data();
        float[] r = new float[Shapes.size(in)];
        int outer = r.length == 0 ? 0 : r.length / (n * inner);
        for (int o = 0, p = 0; o < outer; o++) {
            for (int k : idx) {
                int base = (o * n + k) * inner;
                for (int j = 0; j < inner; j++) {
                    r[base + j] += g[p++];
                }
            }
        }
        return new Tensor[] {new Tensor(in, r), null};
    }
}
