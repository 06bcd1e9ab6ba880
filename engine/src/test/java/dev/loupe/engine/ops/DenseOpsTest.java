package dev.loupe.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.testing.GradCheck;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DenseOpsTest {
    private static Tensor run(Op op, Tensor... in) {
        return op.forward(in, new Saved())[0];
    }

    @Test
    void gemmHandComputed() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
        // A*B = [[4, 5], [10, 11]]; alpha 2, beta 0.5 with C = [10, 20] broadcast over rows.
        Tensor y = run(new Gemm(2f, 0.5f, false, false), a, b, Tensor.of(new float[] {10, 20}, 2));
        assertArrayEquals(new float[] {13, 20, 25, 32}, y.data());
        // Same product through transposed storage.
        Tensor at = Tensor.of(new float[] {1, 4, 2, 5, 3, 6}, 3, 2);
        Tensor bt = Tensor.of(new float[] {1, 0, 1, 0, 1, 1}, 2, 3);
        assertArrayEquals(new float[] {4, 5, 10, 11}, run(new Gemm(1f, 1f, true, true), at, bt).data());
        // C as [M, 1] and as a scalar.
        assertArrayEquals(new float[] {5, 6, 12, 13}, run(new Gemm(1f, 1f, false, false), a, b, Tensor.of(new float[] {1, 2}, 2, 1)).data());
        assertArrayEquals(new float[] {7, 8, 13, 14}, run(new Gemm(1f, 1f, false, false), a, b, Tensor.scalar(3)).data());
    }

    @Test
    void gemmShapeErrors() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> run(new Gemm(1f, 1f, false, true), Tensor.zeros(2, 3), Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
        assertThrows(ShapeMismatchException.class,
                () -> run(new Gemm(1f, 1f, false, false), Tensor.zeros(2, 3), Tensor.zeros(3, 4), Tensor.zeros(3)));
    }

    @Test
    void gemmBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(31);
        for (int flags = 0; flags < 4; flags++) {
            boolean ta = (flags & 1) != 0;
            boolean tb = (flags & 2) != 0;
            Tensor a = ta ? GradCheck.random(rnd, 4, 3) : GradCheck.random(rnd, 3, 4);
            Tensor b = tb ? GradCheck.random(rnd, 5, 4) : GradCheck.random(rnd, 4, 5);
            Tensor[] cs = {GradCheck.random(rnd, 5), GradCheck.random(rnd, 1, 5), GradCheck.random(rnd, 3, 5), null};
            Tensor c = cs[flags];
            Gemm op = new Gemm(0.7f, 1.3f, ta, tb);
            if (c == null) {
                GradCheck.check(op, a, b);
            } else {
                GradCheck.check(op, a, b, c);
            }
        }
        Gemm op = (Gemm) OpFactory.create("Gemm", "fc", Attributes.of("transB", 1, "alpha", 1.0, "beta", 1.0));
        // Weight B and bias C are differentiable (training); GradCheck above covered every C shape.
        assertTrue(op.isDifferentiable(1) && op.isDifferentiable(2));
        // A classifier head: [1, 8] x [10, 8]^T + [10].
        GradCheck.check(op, GradCheck.random(rnd, 1, 8), GradCheck.random(rnd, 10, 8), GradCheck.random(rnd, 10));
    }

    /** Batched matmul from the definition, for A [2, 1, 3, 4] and B [3, 4, 2] (batch broadcast to [2, 3]). */
    @Test
    void matMulBroadcastsBatches() {
        Random rnd = new Random(32);
        Tensor a = GradCheck.random(rnd, 2, 1, 3, 4);
        Tensor b = GradCheck.random(rnd, 3, 4, 2);
        Tensor y = run(new MatMul(), a, b);
        assertArrayEquals(new int[] {2, 3, 3, 2}, y.shape());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 2; c++) {
                        double s = 0;
                        for (int k = 0; k < 4; k++) {
                            s += a.get(i, 0, r, k) * b.get(j, k, c);
                        }
                        assertEquals(s, y.get(i, j, r, c), 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void matMulVectorsDropTheirUnitAxis() {
        Tensor v = Tensor.of(new float[] {1, 2}, 2);
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new int[] {2}, run(new MatMul(), v, m).shape());
        assertArrayEquals(new float[] {7, 10}, run(new MatMul(), v, m).data());
        assertArrayEquals(new float[] {5, 11}, run(new MatMul(), m, v).data());
        assertArrayEquals(new int[0], run(new MatMul(), v, v).shape());
        assertThrows(ShapeMismatchException.class, () -> run(new MatMul(), Tensor.zeros(2, 3), Tensor.zeros(2, 3)));
        assertThrows(ShapeMismatchException.class, () -> run(new MatMul(), Tensor.zeros(2, 2, 3), Tensor.zeros(3, 3, 4)));
    }

    @Test
    void matMulBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(33);
        GradCheck.check(new MatMul(), GradCheck.random(rnd, 3, 4), GradCheck.random(rnd, 4, 5));
        GradCheck.check(new MatMul(), GradCheck.random(rnd, 2, 1, 3, 4), GradCheck.random(rnd, 3, 4, 2));
        GradCheck.check(new MatMul(), GradCheck.random(rnd, 5, 2, 3), GradCheck.random(rnd, 3, 2));
        GradCheck.check(new MatMul(), GradCheck.random(rnd, 3), GradCheck.random(rnd, 2, 3, 4));
    }

    @Test
    void batchNormInference() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 2, 2, 2);
        Tensor scale = Tensor.of(new float[] {2, 1}, 2);
        Tensor bias = Tensor.of(new float[] {1, -1}, 2);
        Tensor mean = Tensor.of(new float[] {2, 6}, 2);
        Tensor var = Tensor.of(new float[] {4, 1}, 2);
        BatchNormalization bn = new BatchNormalization(0f);
        // Channel 0: 2*(x-2)/2 + 1 = x - 1; channel 1: (x-6)/1 - 1 = x - 7.
        assertArrayEquals(new float[] {0, 1, 2, 3, -2, -1, 0, 1}, run(bn, x, scale, bias, mean, var).data());
        // x, scale and B carry gradients (GradCheck below checks all three); mean and var do not.
        assertTrue(bn.isDifferentiable(0) && bn.isDifferentiable(1) && bn.isDifferentiable(2));
        assertTrue(!bn.isDifferentiable(3) && !bn.isDifferentiable(4));
        assertThrows(UnsupportedOpException.class, () -> OpFactory.create("BatchNormalization", "bn", Attributes.of("training_mode", 1)));
        assertThrows(ShapeMismatchException.class, () -> run(bn, x, scale, bias, mean, Tensor.zeros(3)));
        Random rnd = new Random(34);
        Tensor posVar = GradCheck.random(rnd, 3);
        for (int i = 0; i < 3; i++) {
            posVar.data()[i] = Math.abs(posVar.data()[i]) + 0.5f;
        }
        BatchNormalization op = (BatchNormalization) OpFactory.create("BatchNormalization", "bn", Attributes.of("epsilon", 1e-3));
        GradCheck.check(op, GradCheck.random(rnd, 2, 3, 2, 3), GradCheck.random(rnd, 3), GradCheck.random(rnd, 3),
                GradCheck.random(rnd, 3), posVar);
        // Rank 2 (after a Flatten): channel axis 1, no spatial axes.
        GradCheck.check(op, GradCheck.random(rnd, 4, 3), GradCheck.random(rnd, 3), GradCheck.random(rnd, 3),
                GradCheck.random(rnd, 3), posVar);
    }

    /** ONNX's LRN formula written out per element. */
    private static float[] naiveLrn(Tensor x, float alpha, float beta, float bias, int size) {
        int n = x.dim(0);
        int c = x.dim(1);
        int inner = x.size() / (n * c);
        float[] y = new float[x.size()];
        for (int img = 0; img < n; img++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < inner; i++) {
                    double sq = 0;
                    for (int j = ch - (size - 1) / 2; j <= ch + (size - 1 + 1) / 2; j++) {
                        if (j >= 0 && j < c) {
                            double v = x.data()[(img * c + j) * inner + i];
                            sq += v * v;
                        }
                    }
                    double xv = x.data()[(img * c + ch) * inner + i];
                    y[(img * c + ch) * inner + i] = (float) (xv / Math.pow(bias + alpha / size * sq, beta));
                }
            }
        }
        return y;
    }

    @Test
    void lrnMatchesFormulaAndFiniteDifferences() {
        Random rnd = new Random(35);
        Tensor x = GradCheck.random(rnd, 2, 7, 3, 2);
        for (int size : new int[] {1, 2, 3, 4, 5}) {
            // Large alpha so the cross-channel terms matter in the gradient check.
            LRN op = new LRN(0.5f, 0.75f, 1.5f, size);
            float[] want = naiveLrn(x, 0.5f, 0.75f, 1.5f, size);
            float[] got = run(op, x).data();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, "size " + size + " at " + i);
            }
            GradCheck.check(op, 1e-3, 1e-2, x);
        }
        LRN alexNet = (LRN) OpFactory.create("LRN", "norm1", Attributes.of("size", 5, "alpha", 1e-4, "beta", 0.75, "bias", 2.0));
        GradCheck.check(alexNet, 1e-3, 1e-2, GradCheck.random(rnd, 1, 6, 2, 2));
        assertThrows(UnsupportedOpException.class, () -> OpFactory.create("LRN", "n", Attributes.empty()));
    }
}
