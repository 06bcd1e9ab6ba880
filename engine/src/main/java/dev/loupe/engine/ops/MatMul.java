package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.Gemm;
import java.util.Arrays;

/**
 * ONNX MatMul with numpy semantics: the last two axes multiply, leading (batch) axes broadcast, a
 * rank-1 A is a row vector and a rank-1 B a column vector (their unit axis is dropped from the
 * result). Gradients for both inputs, summed over broadcast batch axes.
 */
public final class MatMul implements Op {
    @Override
    public String type() {
        return "MatMul";
    }

    /** How the operands line up: matrix sizes and the A/B matrix index for each output batch item. */
    private record Plan(int m, int k, int n, int[] outShape, int[] aIndex, int[] bIndex) {
    }

    private static Plan plan(int[] as, int[] bs) {
        if (as.length == 0 || bs.length == 0) {
            throw new ShapeMismatchException("MatMul needs inputs of rank >= 1, got " + Arrays.toString(as) + " and " + Arrays.toString(bs));
        }
        int[] a = as.length == 1 ? new int[] {1, as[0]} : as;
        int[] b = bs.length == 1 ? new int[] {bs[0], 1} : bs;
        int m = a[a.length - 2];
        int k = a[a.length - 1];
        int n = b[b.length - 1];
        if (b[b.length - 2] != k) {
            throw new ShapeMismatchException("MatMul inner dimensions differ: A " + Arrays.toString(as) + " has " + k
                    + " columns but B " + Arrays.toString(bs) + " has " + b[b.length - 2] + " rows");
        }
        int rank = Math.max(a.length, b.length) - 2;
        int[] batch = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = dimFromEnd(a, rank - i + 2);
            int db = dimFromEnd(b, rank - i + 2);
            if (da != db && da != 1 && db != 1) {
                throw new ShapeMismatchException("MatMul batch dimensions of A " + Arrays.toString(as) + " and B "
                        + Arrays.toString(bs) + " do not broadcast");
            }
            batch[i] = da == 1 ? db : da;
        }
        int count = (int) Tensor.sizeOf(batch);
        int[] aIndex = new int[count];
        int[] bIndex = new int[count];
        int[] idx = new int[rank];
        for (int t = 0; t < count; t++) {
            int ai = 0;
            int bi = 0;
            for (int i = 0; i < rank; i++) {
                int da = dimFromEnd(a, rank - i + 2);
                int db = dimFromEnd(b, rank - i + 2);
                ai = ai * da + (da == 1 ? 0 : idx[i]);
                bi = bi * db + (db == 1 ? 0 : idx[i]);
            }
            aIndex[t] = ai;
            bIndex[t] = bi;
            for (int i = rank - 1; i >= 0 && ++idx[i] == batch[i]; i--) {
                idx[i] = 0;
            }
        }
        int[] out = Arrays.copyOf(batch, rank + 2);
        out[rank] = m;
        out[rank + 1] = n;
        if (as.length == 1) {
            out = drop(out, rank);
            if (bs.length == 1) {
                out = drop(out, out.length - 1);
            }
        } else if (bs.length == 1) {
            out = drop(out, rank + 1);
        }
        return new Plan(m, k, n, out, aIndex, bIndex);
    }

    /** Dimension {@code fromEnd} places from the end (1 = last), or 1 beyond the rank. */
    private static int dimFromEnd(int[] s, int fromEnd) {
        return fromEnd <= s.length ? s[s.length - fromEnd] : 1;
    }

    private static int[] drop(int[] s, int axis) {
        int[] r = new int[s.length - 1];
        System.arraycopy(s, 0, r, 0, axis);
        System.arraycopy(s, axis + 1, r, axis, s.length - axis - 1);
        return r;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Plan p = plan(a.shape(), b.shape());
        int mk = p.m * p.k;
        int kn = p.k * p.n;
        int mn = p.m * p.n;
        float[] y = new float[p.aIndex.length * mn];
        Parallel.RangeBody body = (from, to) -> {
            for (int t = from; t < to; t++) {
                Gemm.sgemm(false, false, p.m, p.n, p.k, 1f, a.data(), p.aIndex[t] * mk, p.k, b.data(), p.bIndex[t] * kn, p.n,
                        0f, y, t * mn, p.n);
            }
        };
        // Many small products: one per task; few large ones: the GEMM parallelises itself.
        if (p.aIndex.length >= 2 * Parallel.threads()) {
            Parallel.forRange(p.aIndex.length, 1, body);
        } else {
            body.run(0, p.aIndex.length);
        }
        saved.put(a, b);
        return new Tensor[] {new Tensor(p.outShape, y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor[] result = new Tensor[needInputGrad.length];
        if (gradOutputs[0] == null) {
            return result;
        }
        Tensor a = saved.tensor(0);
        Tensor b = saved.tensor(1);
        Plan p = plan(a.shape(), b.shape());
        float[] gy = gradOutputs[0].data();
        int mk = p.m * p.k;
        int kn = p.k * p.n;
        int mn = p.m * p.n;
        // Batches that broadcast share a gradient slice, so they accumulate (beta 1) in turn.
        if (needInputGrad[0]) {
            float[] ga = new float[a.size()];
            for (int t = 0; t < p.aIndex.length; t++) {
                Gemm.sgemm(false, true, p.m, p.k, p.n, 1f, gy, t * mn, p.n, b.data(), p.bIndex[t] * kn, p.n,
                        1f, ga, p.aIndex[t] * mk, p.k);
            }
            result[0] = new Tensor(a.shape(), ga);
        }
        if (needInputGrad[1]) {
            float[] gb = new float[b.size()];
            for (int t = 0; t < p.aIndex.length; t++) {
                Gemm.sgemm(true, false, p.k, p.n, p.m, 1f, a.data(), p.aIndex[t] * mk, p.k, gy, t * mn, p.n,
                        1f, gb, p.bIndex[t] * kn, p.n);
            }
            result[1] = new Tensor(b.shape(), gb);
        }
        return result;
    }
}
