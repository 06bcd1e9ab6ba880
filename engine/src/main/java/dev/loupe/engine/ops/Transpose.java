package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;

/**
 * Permutes axes: {@code y.shape[i] = x.shape[perm[i]]} (default perm reverses the axes). Backward
 * transposes the gradient by the inverse permutation.
 */
public final class Transpose implements Op {
    private final int[] perm;

    /** @param perm the permutation, or null to reverse the axes */
    public Transpose(int[] perm) {
        this.perm = perm == null ? null : perm.clone();
    }

    @Override
    public String type() {
        return "Transpose";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int rank = x.rank();
        int[] p = perm;
        if (p == null) {
            p = new int[rank];
            for (int i = 0; i < rank; i++) {
                p[i] = rank - 1 - i;
            }
        } else {
            if (p.length != rank) {
                throw new ShapeMismatchException("Transpose: perm " + Shapes.str(p) + " has " + p.length
                        + " entries for an input of rank " + rank + " " + Shapes.str(x.shape()));
            }
            p = Shapes.axes(p, rank, "Transpose");
        }
        saved.put((Object) p);
        return new Tensor[] {permute(x, p)};
    }

    static Tensor permute(Tensor x, int[] p) {
        int[] in = x.shape();
        int[] inStrides = Shapes.strides(in);
        int[] out = new int[p.length];
        int[] read = new int[p.length];
        boolean identity = true;
        for (int i = 0; i < p.length; i++) {
            out[i] = in[p[i]];
            read[i] = inStrides[p[i]];
            identity &= p[i] == i;
        }
        if (identity) {
            return x.reshape(out);
        }
        float[] src = x.data();
        float[] dst = new float[src.length];
        Strided it = Strided.of(out, read);
        int n = it.inner();
        int s = it.innerStride(0);
        for (int row = 0, o = 0; row < it.rows(); row++, o += n) {
            int base = it.offset(row, 0);
            for (int j = 0; j < n; j++) {
                dst[o + j] = src[base + j * s];
            }
        }
        return new Tensor(out, dst);
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[] p = saved.get(0);
        int[] inv = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            inv[p[i]] = i;
        }
        return new Tensor[] {permute(gradOutputs[0], inv)};
    }
}
