package dev.loupe.engine.ops;

import static dev.loupe.engine.ops.OpRun.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.testing.GradCheck;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BinaryTest {
    private final Random rnd = new Random(7);

    private static Binary op(Binary.Kind k) {
        return new Binary(k);
    }

    @Test
    void forwardBroadcastsRowAgainstMatrix() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {10, 20, 30}, 3);
        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, OpRun.one(op(Binary.Kind.ADD), a, b).data());
        assertArrayEquals(new float[] {-9, -18, -27, -6, -15, -24}, OpRun.one(op(Binary.Kind.SUB), a, b).data());
        assertArrayEquals(new float[] {9, 18, 27, 6, 15, 24}, OpRun.one(op(Binary.Kind.SUB), b, a).data());
        assertArrayEquals(new float[] {10, 40, 90, 40, 100, 180}, OpRun.one(op(Binary.Kind.MUL), a, b).data());
        assertArrayEquals(new float[] {10, 10, 10, 2.5f, 4, 5}, OpRun.one(op(Binary.Kind.DIV), b, a).data());
    }

    @Test
    void forwardBroadcastsBothWays() {
        // [2,1] * [1,3] -> [2,3] outer product
        Tensor a = Tensor.of(new float[] {1, 2}, 2, 1);
        Tensor b = Tensor.of(new float[] {1, 10, 100}, 1, 3);
        Tensor y = OpRun.one(op(Binary.Kind.MUL), a, b);
        assertShape(y, 2, 3);
        assertArrayEquals(new float[] {1, 10, 100, 2, 20, 200}, y.data());
    }

    @Test
    void forwardPerChannelAndScalar() {
        Tensor x = OpRun.iota(1, 2, 2, 2);
        Tensor c = Tensor.of(new float[] {100, 200}, 2, 1, 1);
        assertArrayEquals(new float[] {100, 101, 102, 103, 204, 205, 206, 207}, OpRun.one(op(Binary.Kind.ADD), x, c).data());
        Tensor y = OpRun.one(op(Binary.Kind.MUL), Tensor.scalar(2), x);
        assertShape(y, 1, 2, 2, 2);
        assertArrayEquals(new float[] {0, 2, 4, 6, 8, 10, 12, 14}, y.data());
        assertArrayEquals(new float[] {0, 1, 4, 9}, OpRun.one(op(Binary.Kind.POW), OpRun.iota(4), Tensor.scalar(2)).data());
        Tensor s = OpRun.one(op(Binary.Kind.ADD), Tensor.scalar(1), Tensor.scalar(2));
        assertShape(s);
        assertEquals(3f, s.data()[0]);
    }

    @Test
    void forwardLargeEqualShapesInParallel() {
        Tensor a = GradCheck.random(rnd, 4, 64, 32, 32);
        Tensor b = GradCheck.random(rnd, 4, 64, 32, 32);
        Tensor y = OpRun.one(op(Binary.Kind.SUB), a, b);
        for (int i = 0; i < y.size(); i++) {
            assertEquals(a.data()[i] - b.data()[i], y.data()[i]);
        }
    }

    @Test
    void incompatibleShapesAreNamed() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> OpRun.one(op(Binary.Kind.ADD), Tensor.zeros(2, 3), Tensor.zeros(4)));
        assertEquals("cannot broadcast [2,3] with [4]", e.getMessage());
    }

    @Test
    void gradientsWithChannelBroadcast() {
        for (Binary.Kind k : new Binary.Kind[] {Binary.Kind.ADD, Binary.Kind.SUB, Binary.Kind.MUL}) {
            GradCheck.check(op(k), GradCheck.random(rnd, 2, 3, 4, 5), GradCheck.random(rnd, 3, 1, 1));
            GradCheck.check(op(k), GradCheck.random(rnd, 3, 1, 1), GradCheck.random(rnd, 2, 3, 4, 5));
        }
    }

    @Test
    void gradientsWithScalar() {
        for (Binary.Kind k : new Binary.Kind[] {Binary.Kind.ADD, Binary.Kind.SUB, Binary.Kind.MUL}) {
            GradCheck.check(op(k), GradCheck.random(rnd, 2, 3, 4, 5), GradCheck.random(rnd));
            GradCheck.check(op(k), GradCheck.random(rnd, 1), GradCheck.random(rnd, 2, 3, 4, 5));
        }
    }

    @Test
    void gradientsWithTwoWayBroadcast() {
        for (Binary.Kind k : new Binary.Kind[] {Binary.Kind.ADD, Binary.Kind.SUB, Binary.Kind.MUL}) {
            GradCheck.check(op(k), GradCheck.random(rnd, 1, 3, 1, 5), GradCheck.random(rnd, 2, 1, 4, 1));
        }
        GradCheck.check(op(Binary.Kind.MUL), GradCheck.random(rnd, 2, 3, 4), GradCheck.random(rnd, 2, 3, 4));
    }

    @Test
    void divGradients() {
        Tensor b = GradCheck.randomAwayFromZero(rnd, 0.5f, 3, 1, 1);
        GradCheck.check(op(Binary.Kind.DIV), 1e-3, 2e-2, GradCheck.random(rnd, 2, 3, 4, 5), b);
        GradCheck.check(op(Binary.Kind.DIV), 1e-3, 2e-2, GradCheck.random(rnd, 1, 3, 1, 5),
                GradCheck.randomAwayFromZero(rnd, 0.5f, 2, 1, 4, 1));
    }

    @Test
    void powGradients() {
        Tensor a = GradCheck.random(rnd, 2, 3, 4);
        for (int i = 0; i < a.size(); i++) {
            a.data()[i] = 0.5f + Math.abs(a.data()[i]);
        }
        GradCheck.check(op(Binary.Kind.POW), 1e-3, 2e-2, a, GradCheck.random(rnd, 3, 1));
        GradCheck.check(op(Binary.Kind.POW), 1e-3, 2e-2, a, Tensor.scalar(2));
    }

    @Test
    void backwardSkipsInputsNotNeeded() {
        Binary mul = op(Binary.Kind.MUL);
        Saved s = new Saved();
        mul.forward(new Tensor[] {GradCheck.random(rnd, 2, 3), GradCheck.random(rnd, 3)}, s);
        Tensor[] g = mul.backward(s, new Tensor[] {GradCheck.random(rnd, 2, 3)}, new boolean[] {true, false});
        assertShape(g[0], 2, 3);
        assertEquals(null, g[1]);
    }
}
