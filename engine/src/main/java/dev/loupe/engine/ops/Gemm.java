package dev.loupe.engine.ops;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import java.util.Arrays;

/**
 * ONNX Gemm: {@code Y = alpha * A' * B' + beta * C} with {@code A' = transA ? A^T : A} (likewise
 * B), A and B rank 2 and C broadcast to {@code [M, N]} from a scalar, {@code [N]}, {@code [1, N]},
 * {@code [M, 1]} or {@code [M, N]}. Gradients for A, B and C (the bias, summed back over the axes
 * it was broadcast along); each is computed only when asked, so the weight and bias gradients cost
 * nothing in explanation passes.
 */
public final class Gemm implements Op {
    private final float alpha;
    private final float beta;
    private final boolean transA;
    private final boolean transB;

    public Gemm(float alpha, float beta, boolean transA, boolean transB) {
        this.alpha = alpha;
        this.beta = beta;
        this.transA = transA;
        this.transB = transB;
    }

    static Gemm fromAttributes(Attributes a) {
        return new Gemm(a.getFloat("alpha", 1f), a.getFloat("beta", 1f), a.getLong("transA", 0) != 0, a.getLong("transB", 0) != 0);
    }

    @Override
    public String type() {
        return "Gemm";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex >= 0 && inputIndex <= 2;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor c = inputs.length > 2 ? inputs[2] : null;
        if (a.rank() != 2 || b.rank() != 2) {
            throw new ShapeMismatchException("Gemm needs rank-2 A and B, got A " + Arrays.toString(a.shape()) + " and B "
                    + Arrays.toString(b.shape()));
        }
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw new ShapeMismatchException("Gemm inner dimensions differ: A" + (transA ? "^T" : "") + " is " + m + "x" + k
                    + " (A " + Arrays.toString(a.shape()) + ") but B" + (transB ? "^T" : "") + " is " + kb + "x" + n
                    + " (B " + Arrays.toString(b.shape()) + ")");
        }
        float[] y = Buffers.zeroed(m * n);
        float yBeta = 0f;
        if (c != null && beta != 0f) {
            fillBroadcast(c, m, n, beta, y);
            yBeta = 1f;
        }
        dev.loupe.engine.kernels.Gemm.sgemm(transA, transB, m, n, k, alpha, a.data(), 0, a.dim(1), b.data(), 0, b.dim(1),
                yBeta, y, 0, n);
        saved.put(a, b, c == null ? null : c.shape());
        return new Tensor[] {new Tensor(new int[] {m, n}, y)};
    }

    /** {@code y = beta * C} broadcast to m x n (unidirectional, numpy-style). */
    private static void fillBroadcast(Tensor c, int m, int n, float beta, float[] y) {
        int[] cs = c.shape();
        if (cs.length > 2) {
            throw new ShapeMismatchException("Gemm C must have rank <= 2, got " + Arrays.toString(cs));
        }
        int rows = cs.length == 2 ? cs[0] : 1;
        int cols = cs.length >= 1 ? cs[cs.length - 1] : 1;
        if ((rows != 1 && rows != m) || (cols != 1 && cols != n)) {
            throw new ShapeMismatchException("Gemm C " + Arrays.toString(cs) + " does not broadcast to the output [" + m + ", " + n + "]");
        }
        float[] cd = c.data();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                y[i * n + j] = beta * cd[(rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j)];
            }
        }
    }

    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }

    public boolean transA() {
        return transA;
    }

    public boolean transB() {
        return transB;
    }

    /** {@code dC = beta * dY} summed over the axes along which C of shape {@code cs} was broadcast. */
    private Tensor biasGradient(float[] gy, int m, int n, int[] cs) {
        int rows = cs.length == 2 ? cs[0] : 1;
        int cols = cs.length >= 1 ? cs[cs.length - 1] : 1;
        double[] sum = new double[rows * cols];
        for (int i = 0; i < m; i++) {
            int r = rows == 1 ? 0 : i;
            for (int j = 0; j < n; j++) {
                sum[r * cols + (cols == 1 ? 0 : j)] += gy[i * n + j];
            }
        }
        float[] gc = new float[sum.length];
        for (int i = 0; i < gc.length; i++) {
            gc[i] = (float) (beta * sum[i]);
        }
        return new Tensor(cs, gc);
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Tensor[] result = new Tensor[needInputGrad.length];
        Tensor gyT = gradOutputs[0];
        if (gyT == null) {
            return result;
        }
        Tensor a = saved.tensor(0);
        Tensor b = saved.tensor(1);
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int n = transB ? b.dim(0) : b.dim(1);
        float[] gy = gyT.data();
        int lda = a.dim(1);
        int ldb = b.dim(1);
        if (needInputGrad[0]) {
            float[] ga = new float[a.size()];
            if (!transA) {
                // dA = alpha * dY * B'^T
                dev.loupe.engine.kernels.Gemm.sgemm(false, !transB, m, k, n, alpha, gy, 0, n, b.data(), 0, ldb, 0f, ga, 0, k);
            } else {
                // dA = (alpha * dY * B'^T)^T = alpha * B' * dY^T
                dev.loupe.engine.kernels.Gemm.sgemm(transB, true, k, m, n, alpha, b.data(), 0, ldb, gy, 0, n, 0f, ga, 0, m);
            }
            result[0] = new Tensor(a.shape(), ga);
        }
        if (needInputGrad.length > 1 && needInputGrad[1]) {
            float[] gb = new float[b.size()];
            if (!transB) {
                // dB = alpha * A'^T * dY
                dev.loupe.engine.kernels.Gemm.sgemm(!transA, false, k, n, m, alpha, a.data(), 0, lda, gy, 0, n, 0f, gb, 0, n);
            } else {
                // dB = (alpha * A'^T * dY)^T = alpha * dY^T * A'
                dev.loupe.engine.kernels.Gemm.sgemm(true, transA, n, k, m, alpha, gy, 0, n, a.data(), 0, lda, 0f, gb, 0, k);
            }
            result[1] = new Tensor(b.shape(), gb);
        }
        int[] cs = saved.get(2);
        if (needInputGrad.length > 2 && needInputGrad[2] && cs != null) {
            result[2] = biasGradient(gy, m, n, cs);
        }
        return result;
    }
}
