package dev.loupe.engine.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import java.util.Arrays;
import java.util.Random;

/**
 * Finite-difference check of an op's vector-Jacobian product. The scalar probed is
 * {@code L = sum_k <seed_k, y_k>} over all outputs with fixed random seeds; its derivative with
 * respect to each input element is estimated by central differences in double precision and
 * compared with {@link Op#backward}.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /** Checks every differentiable input of {@code op}. */
    public static void check(Op op, Tensor... inputs) {
        check(op, 1e-2, 2e-2, inputs);
    }

    /**
     * @param step the finite-difference step
     * @param tol the tolerance on |analytic - numeric| relative to max(1, |numeric|) scale of the input gradient
     */
    public static void check(Op op, double step, double tol, Tensor... inputs) {
        check(op, step, tol, null, inputs);
    }

    /**
     * As {@link #check(Op, double, double, Tensor...)}, probing only the inputs whose flag in
     * {@code only} is set (all differentiable ones when null): large weights make probing every
     * element slow when only the input gradient's path is under test.
     */
    public static void check(Op op, double step, double tol, boolean[] only, Tensor... inputs) {
        Random rnd = new Random(1234);
        Tensor[] outs = op.forward(copyAll(inputs), new Saved());
        Tensor[] seeds = new Tensor[outs.length];
        for (int k = 0; k < outs.length; k++) {
            seeds[k] = random(rnd, outs[k].shape());
        }
        Saved saved = new Saved();
        op.forward(copyAll(inputs), saved);
        boolean[] need = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            need[i] = inputs[i] != null && op.isDifferentiable(i) && (only == null || only[i]);
        }
        Tensor[] analytic = op.backward(saved, seeds, need);
        for (int i = 0; i < inputs.length; i++) {
            if (!need[i]) {
                continue;
            }
            if (analytic[i] == null) {
                throw new AssertionError(op.type() + ": no gradient returned for input " + i);
            }
            assertTrue(analytic[i].sameShape(inputs[i]), op.type() + ": gradient shape " + Arrays.toString(analytic[i].shape())
                    + " differs from input shape " + Arrays.toString(inputs[i].shape()));
            double[] numeric = new double[inputs[i].size()];
            double scale = 1e-6;
            for (int j = 0; j < numeric.length; j++) {
                Tensor[] plus = copyAll(inputs);
                plus[i].data()[j] += (float) step;
                Tensor[] minus = copyAll(inputs);
                minus[i].data()[j] -= (float) step;
                double hPlus = plus[i].data()[j] - inputs[i].data()[j];
                double hMinus = inputs[i].data()[j] - minus[i].data()[j];
                numeric[j] = (loss(op, plus, seeds) - loss(op, minus, seeds)) / (hPlus + hMinus);
                scale = Math.max(scale, Math.abs(numeric[j]));
            }
            double worst = 0;
            int worstAt = -1;
            for (int j = 0; j < numeric.length; j++) {
                double err = Math.abs(analytic[i].data()[j] - numeric[j]) / Math.max(1.0, scale);
                if (err > worst) {
                    worst = err;
                    worstAt = j;
                }
            }
            if (worst > tol) {
                throw new AssertionError(op.type() + ": input " + i + " gradient differs from finite differences at flat index "
                        + worstAt + ": analytic " + analytic[i].data()[worstAt] + " vs numeric " + numeric[worstAt]
                        + " (relative error " + worst + ", tolerance " + tol + ")");
            }
        }
    }

    private static double loss(Op op, Tensor[] inputs, Tensor[] seeds) {
        Tensor[] outs = op.forward(inputs, new Saved());
        double sum = 0;
        for (int k = 0; k < outs.length; k++) {
            float[] y = outs[k].data();
            float[] s = seeds[k].data();
            for (int j = 0; j < y.length; j++) {
                sum += (double) y[j] * s[j];
            }
        }
        return sum;
    }

    private static Tensor[] copyAll(Tensor[] inputs) {
        Tensor[] c = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            c[i] = inputs[i] == null ? null : inputs[i].copy();
        }
        return c;
    }

    /** Uniform values in [-1, 1). */
    public static Tensor random(Random rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = rnd.nextFloat() * 2 - 1;
        }
        return t;
    }

    /** Uniform values in [-1, 1) kept at least {@code margin} away from 0 (for ops with a kink at 0). */
    public static Tensor randomAwayFromZero(Random rnd, float margin, int... shape) {
        Tensor t = random(rnd, shape);
        for (int i = 0; i < t.size(); i++) {
            float v = t.data()[i];
            if (Math.abs(v) < margin) {
                t.data()[i] = v < 0 ? v - margin : v + margin;
            }
        }
        return t;
    }
}
