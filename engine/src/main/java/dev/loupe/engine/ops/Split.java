package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;

/**
 * Cuts x along {@code axis} into consecutive pieces: of the sizes given by input 1 (opset 13+)
 * or the {@code split} attribute (≤ 12), else into {@code outputs} equal pieces (the last one
 * smaller if the axis does not divide, as opset 18 allows). Backward concatenates the output
 * gradients, with zeros for outputs that received none; the split input is not differentiable.
 *
 * <p>An op cannot see how many outputs its node has, so for the equal form the loader must pass
 * the node's output count: the factory reads it from {@code num_outputs} (an ONNX attribute from
 * opset 18, which the loader should also set for older opsets).
 */
public final class Split implements Op {
    private final int axis;
    private final int[] split;
    private final int outputs;

    /**
     * @param split sizes (attribute form) or null
     * @param outputs the number of outputs, used when no sizes are given (0 if unknown)
     */
    public Split(int axis, int[] split, int outputs) {
        this.axis = axis;
        this.split = split == null ? null : split.clone();
        this.outputs = outputs;
    }

    static Split fromAttributes(Attributes a) {
        return new Split(a.getInt("axis", 0), a.getInts("split", null), a.getInt("num_outputs", 0));
    }

    @Override
    public String type() {
        return "Split";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex == 0;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] in = x.shape();
        int ax = Shapes.axis(axis, in.length, "Split");
        int n = in[ax];
        int[] sizes = inputs.length > 1 && inputs[1] != null ? Shapes.ints(inputs[1]) : split;
        if (sizes == null) {
            if (outputs <= 0) {
                throw new IllegalArgumentException("Split without sizes needs the number of outputs (num_outputs)");
            }
            int piece = (n + outputs - 1) / outputs;
            sizes = new int[outputs];
            for (int k = 0; k < outputs; k++) {
                sizes[k] = Math.max(0, Math.min(piece, n - k * piece));
            }
        }
        int total = 0;
        for (int s : sizes) {
            if (s < 0) {
                throw new ShapeMismatchException("Split: negative size in " + Shapes.str(sizes));
            }
            total += s;
        }
        if (total != n) {
            throw new ShapeMismatchException("Split sizes " + Shapes.str(sizes) + " add up to " + total + " but axis " + ax
                    + " of " + Shapes.str(in) + " has " + n);
        }
        int outer = 1;
        for (int d = 0; d < ax; d++) {
            outer *= in[d];
        }
        int inner = 1;
        for (int d = ax + 1; d < in.length; d++) {
            inner *= in[d];
        }
        float[] src = x.data();
        Tensor[] out = new Tensor[sizes.length];
        int at = 0;
        for (int k = 0; k < sizes.length; k++) {
            int[] s = in.clone();
            s[ax] = sizes[k];
            int chunk = sizes[k] * inner;
            float[] d = new float[outer * chunk];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src, o * n * inner + at, d, o * chunk, chunk);
            }
            out[k] = new Tensor(s, d);
            at += chunk;
        }
        saved.put(in, sizes, ax, inner);
        return out;
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[] in = saved.get(0);
        int[] sizes = saved.get(1);
        int ax = saved.get(2);
        int inner = saved.get(3);
        int n = in[ax];
        float[] r = new float[Shapes.size(in)];
        int outer = n * inner == 0 ? 0 : r.length / (n * inner);
        int at = 0;
        for (int k = 0; k < sizes.length; k++) {
            int chunk = sizes[k] * inner;
            Tensor g = k < gradOutputs.length ? gradOutputs[k] : null;
            if (g != null) {
                float[] gd = g.data();
                for (int o = 0; o < outer; o++) {
                    System.arraycopy(gd, o * chunk, r, o * n * inner + at, chunk);
                }
            }
            at += chunk;
        }
        return new Tensor[] {new Tensor(in, r), null};
    }
}
