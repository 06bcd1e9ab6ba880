package dev.loupe.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ops that claim {@link Op#isAffinePerItem} keep the promise: each output item is an affine
 * map of the same input item, and the backward pass to input 0 does not read the forward values.
 * Methods rely on both when they sum gradients over copies of an image before the first ReLU.
 */
class OpsAffinityTest {
    private final Random rnd = new Random(11);

    /** An op that claims affinity, with fixed extra inputs, and the shape of input 0. */
    private record Case(String what, Op op, Tensor[] rest, int[] inputShape) {
    }

    private List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("conv 3x3 pad 1", new Conv(1, WindowAttrs.of(null, new int[] {1, 1}, new int[] {1, 1, 1, 1})),
                new Tensor[] {random(4, 3, 3, 3), random(4)}, new int[] {3, 3, 9, 9}));
        cases.add(new Case("conv 7x7 stride 2 pad 3", new Conv(1, WindowAttrs.of(null, new int[] {2, 2}, new int[] {3, 3, 3, 3})),
                new Tensor[] {random(5, 3, 7, 7), random(5)}, new int[] {3, 3, 16, 16}));
        cases.add(new Case("conv grouped, no bias", new Conv(2, WindowAttrs.of(null, new int[] {1, 2}, new int[] {0, 1, 0, 1})),
                new Tensor[] {random(6, 2, 3, 2), null}, new int[] {2, 4, 8, 7}));
        cases.add(new Case("batch norm", new BatchNormalization(1e-3f),
                new Tensor[] {random(3), random(3), random(3), positive(3)}, new int[] {3, 3, 5, 4}));
        return cases;
    }

    @Test
    void eachOutputItemIsAnAffineMapOfItsInputItem() {
        for (Case c : cases()) {
            assertTrue(c.op().isAffinePerItem(), c.what());
            Tensor x1 = random(c.inputShape());
            Tensor x2 = random(c.inputShape());
            float t = 0.37f;
            Tensor mix = Tensor.zeros(c.inputShape());
            for (int i = 0; i < mix.size(); i++) {
                mix.data()[i] = x1.data()[i] + t * (x2.data()[i] - x1.data()[i]);
            }
            float[] y1 = forward(c, x1).data();
            float[] y2 = forward(c, x2).data();
            float[] ym = forward(c, mix).data();
            for (int i = 0; i < ym.length; i++) {
                float expected = y1[i] + t * (y2[i] - y1[i]);
                assertEquals(expected, ym[i], 1e-4f * (1 + Math.abs(expected)), c.what() + " at " + i);
            }
            // Item 0's output ignores item 1's input.
            Tensor other = x1.copy();
            int item = x1.size() / x1.dim(0);
            for (int i = item; i < 2 * item; i++) {
                other.data()[i] = 100f;
            }
            float[] yo = forward(c, other).data();
            int outItem = y1.length / x1.dim(0);
            for (int i = 0; i < outItem; i++) {
                assertEquals(y1[i], yo[i], 0f, c.what() + ": item 0 moved with item 1 at " + i);
            }
        }
    }

    @Test
    void theInputGradientDoesNotReadTheForwardValues() {
        for (Case c : cases()) {
            Tensor x1 = random(c.inputShape());
            Tensor x2 = random(c.inputShape());
            Saved s1 = new Saved();
            Saved s2 = new Saved();
            Tensor y = c.op().forward(inputs(c, x1), s1)[0];
            c.op().forward(inputs(c, x2), s2);
            Tensor gy = random(y.shape());
            boolean[] need = new boolean[1 + c.rest().length];
            need[0] = true;
            Tensor g1 = c.op().backward(s1, new Tensor[] {gy}, need)[0];
            Tensor g2 = c.op().backward(s2, new Tensor[] {gy}, need)[0];
            assertArrayEquals(g1.data(), g2.data(), 0f, c.what());
        }
    }

    @Test
    void nonAffineOpsDoNotClaimIt() {
        for (Op op : new Op[] {new Relu(), new MaxPool(WindowAttrs.of(new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0, 0, 0}))}) {
            assertFalse(op.isAffinePerItem(), op.type());
        }
    }

    private Tensor forward(Case c, Tensor x) {
        return OpRun.one(c.op(), inputs(c, x));
    }

    private static Tensor[] inputs(Case c, Tensor x) {
        Tensor[] in = new Tensor[1 + c.rest().length];
        in[0] = x;
        System.arraycopy(c.rest(), 0, in, 1, c.rest().length);
        return in;
    }

    private Tensor random(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) rnd.nextGaussian();
        }
        return t;
    }

    private Tensor positive(int... shape) {
        Tensor t = random(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = Math.abs(t.data()[i]) + 0.1f;
        }
        return t;
    }
}
