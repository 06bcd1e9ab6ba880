package dev.loupe.engine.ops;

import static dev.loupe.engine.ops.OpRun.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.testing.GradCheck;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationsTest {
    private final Random rnd = new Random(11);

    @Test
    void leakyRelu() {
        assertArrayEquals(new float[] {-0.02f, 0, 3}, OpRun.one(new LeakyRelu(0.01f), Tensor.of(new float[] {-2, 0, 3}, 3)).data());
        GradCheck.check(new LeakyRelu(0.2f), GradCheck.randomAwayFromZero(rnd, 0.05f, 2, 3, 4));
        LeakyRelu fromOnnx = (LeakyRelu) OpFactory.create("LeakyRelu", "n", Attributes.empty());
        assertEquals(0.01f, fromOnnx.alpha());
    }

    @Test
    void clipForwardWithAttributesAndInputs() {
        Tensor x = Tensor.of(new float[] {-3, -1, 0, 2, 7}, 5);
        assertArrayEquals(new float[] {-1, -1, 0, 2, 6}, OpRun.one(new Clip(-1, 6), x).data());
        // Inputs (opset 11+) override the attribute form; an absent input leaves that side open.
        assertArrayEquals(new float[] {0, 0, 0, 2, 7}, OpRun.one(new Clip(), x, Tensor.scalar(0), null).data());
        // A bound not given as input falls back to the constructor's.
        assertArrayEquals(new float[] {-1, -1, 0, 1, 1}, OpRun.one(new Clip(-1, 6), x, null, Tensor.scalar(1)).data());
    }

    @Test
    void clipGradientOnlyStrictlyInside() {
        Clip relu6 = new Clip(0, 6);
        Saved s = new Saved();
        relu6.forward(new Tensor[] {Tensor.of(new float[] {-1, 0, 3, 6, 8}, 5)}, s);
        Tensor g = relu6.backward(s, new Tensor[] {Tensor.of(new float[] {1, 1, 1, 1, 1}, 5)}, new boolean[] {true})[0];
        assertArrayEquals(new float[] {0, 0, 1, 0, 0}, g.data());
        // Away from the bounds by more than the finite-difference step.
        Tensor x = GradCheck.randomAwayFromZero(rnd, 0.05f, 3, 4, 5);
        for (int i = 0; i < x.size(); i++) {
            if (Math.abs(Math.abs(x.data()[i]) - 0.5f) < 0.05f) {
                x.data()[i] = 0.25f;
            }
        }
        GradCheck.check(new Clip(-0.5f, 0.5f), x);
        GradCheck.check(new Clip(), x, Tensor.scalar(-0.5f), Tensor.scalar(0.5f));
    }

    @Test
    void sigmoidTanhExpSqrt() {
        Tensor x = Tensor.of(new float[] {-100, 0, 100}, 3);
        assertArrayEquals(new float[] {0, 0.5f, 1}, OpRun.one(new Sigmoid(), x).data(), 1e-6f);
        assertArrayEquals(new float[] {-1, 0, 1}, OpRun.one(new Tanh(), x).data(), 1e-6f);
        assertArrayEquals(new float[] {1, (float) Math.E}, OpRun.one(new Exp(), Tensor.of(new float[] {0, 1}, 2)).data(), 1e-6f);
        assertArrayEquals(new float[] {0, 3}, OpRun.one(new Sqrt(), Tensor.of(new float[] {0, 9}, 2)).data());
        GradCheck.check(new Sigmoid(), GradCheck.random(rnd, 2, 3, 4));
        GradCheck.check(new Tanh(), GradCheck.random(rnd, 2, 3, 4));
        GradCheck.check(new Exp(), 1e-3, 2e-2, GradCheck.random(rnd, 2, 3, 4));
        Tensor pos = GradCheck.random(rnd, 2, 3, 4);
        for (int i = 0; i < pos.size(); i++) {
            pos.data()[i] = 0.5f + Math.abs(pos.data()[i]);
        }
        GradCheck.check(new Sqrt(), 1e-3, 2e-2, pos);
    }

    @Test
    void softmaxForward() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 1000, 1000, 1000}, 2, 3);
        Tensor y = OpRun.one(new Softmax(-1), x);
        double e1 = Math.exp(-2);
        double e2 = Math.exp(-1);
        double sum = e1 + e2 + 1;
        assertArrayEquals(new float[] {(float) (e1 / sum), (float) (e2 / sum), (float) (1 / sum), 1 / 3f, 1 / 3f, 1 / 3f},
                y.data(), 1e-6f);
        // Along axis 0 of [2,2]: each column sums to 1.
        Tensor c = OpRun.one(new Softmax(0), Tensor.of(new float[] {0, 5, 0, 5}, 2, 2));
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, c.data(), 1e-6f);
    }

    @Test
    void softmaxLegacyCoercesTo2D() {
        // [1,2,2] with axis 1: opset 13 normalises over axis 1 only, opset < 13 over axes 1 and 2 together.
        Tensor x = Tensor.of(new float[] {0, 0, 0, 0}, 1, 2, 2);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, OpRun.one(new Softmax(1), x).data(), 1e-6f);
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, OpRun.one(new Softmax(1, true), x).data(), 1e-6f);
        Softmax old = (Softmax) OpFactory.create("Softmax", "n", Attributes.of(Softmax.OPSET_ATTRIBUTE, 11));
        assertEquals(1, old.axis());
        assertEquals(true, old.legacy());
        Softmax current = (Softmax) OpFactory.create("Softmax", "n", Attributes.empty());
        assertEquals(-1, current.axis());
        assertEquals(false, current.legacy());
    }

    @Test
    void softmaxGradients() {
        GradCheck.check(new Softmax(-1), GradCheck.random(rnd, 2, 5));
        GradCheck.check(new Softmax(1), GradCheck.random(rnd, 2, 3, 4));
        GradCheck.check(new Softmax(0), GradCheck.random(rnd, 3, 2, 2));
        GradCheck.check(new Softmax(1, true), GradCheck.random(rnd, 2, 3, 2));
    }

    @Test
    void dropoutAndIdentityAreViews() {
        Tensor x = GradCheck.random(rnd, 2, 3);
        Tensor[] d = OpRun.all(new Dropout(), x, Tensor.scalar(0.5f));
        assertSame(x.data(), d[0].data());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, d[1].data());
        assertSame(x.data(), OpRun.one(new Identity(), x).data());
        GradCheck.check(new Dropout(), x);
        GradCheck.check(new Identity(), x);
        Dropout op = new Dropout();
        Saved s = new Saved();
        op.forward(new Tensor[] {x}, s);
        Tensor[] g = op.backward(s, new Tensor[] {x, null}, new boolean[] {true});
        assertSame(x, g[0]);
        assertShape(OpRun.one(new Identity(), Tensor.scalar(1)));
        assertNull(new Dropout().backward(s, new Tensor[] {null, x}, new boolean[] {true})[0]);
    }
}
