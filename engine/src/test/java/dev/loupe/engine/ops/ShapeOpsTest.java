package dev.loupe.engine.ops;

import static dev.loupe.engine.ops.OpRun.assertShape;
import static dev.loupe.engine.ops.OpRun.iota;
import static dev.loupe.engine.ops.OpRun.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.testing.GradCheck;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShapeOpsTest {
    private final Random rnd = new Random(3);

    @Test
    void concatForwardAndGradients() {
        Tensor a = iota(2, 2);
        Tensor b = Tensor.of(new float[] {9, 8}, 2, 1);
        Tensor y = OpRun.one(new Concat(1), a, b);
        assertShape(y, 2, 3);
        assertArrayEquals(new float[] {0, 1, 9, 2, 3, 8}, y.data());
        assertArrayEquals(new float[] {0, 1, 2, 3, 9, 8}, OpRun.one(new Concat(0), a, b.reshape(1, 2)).data());
        GradCheck.check(new Concat(0), GradCheck.random(rnd, 2, 3, 2), GradCheck.random(rnd, 1, 3, 2), GradCheck.random(rnd, 3, 3, 2));
        GradCheck.check(new Concat(1), GradCheck.random(rnd, 2, 3, 2), GradCheck.random(rnd, 2, 1, 2));
        GradCheck.check(new Concat(-1), GradCheck.random(rnd, 2, 3, 2), GradCheck.random(rnd, 2, 3, 4));
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> OpRun.one(new Concat(1), Tensor.zeros(2, 3), Tensor.zeros(3, 3)));
        assertTrue(e.getMessage().contains("[3,3]"), e.getMessage());
    }

    @Test
    void flatten() {
        Tensor x = iota(2, 3, 4);
        assertShape(OpRun.one(new Flatten(1), x), 2, 12);
        assertShape(OpRun.one(new Flatten(0), x), 1, 24);
        assertShape(OpRun.one(new Flatten(3), x), 24, 1);
        assertShape(OpRun.one(new Flatten(-1), x), 6, 4);
        assertSame(x.data(), OpRun.one(new Flatten(1), x).data());
        GradCheck.check(new Flatten(2), GradCheck.random(rnd, 2, 3, 4));
    }

    @Test
    void reshapeCopiesZerosAndInfersMinusOne() {
        Tensor x = iota(2, 3, 4);
        assertShape(OpRun.one(new Reshape(), x, ints(0, -1)), 2, 12);
        assertShape(OpRun.one(new Reshape(), x, ints(-1, 0, 2)), 4, 3, 2);
        assertShape(OpRun.one(new Reshape(), x, ints(24)), 24);
        assertShape(OpRun.one(new Reshape(true), Tensor.zeros(0, 3), ints(3, 0)), 3, 0);
        assertSame(x.data(), OpRun.one(new Reshape(), x, ints(4, 6)).data());
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> OpRun.one(new Reshape(), iota(12), ints(5, -1)));
        assertTrue(e.getMessage().startsWith("Reshape of 12 values into [5,-1]"), e.getMessage());
        assertThrows(ShapeMismatchException.class, () -> OpRun.one(new Reshape(), iota(12), ints(5, 2)));
        assertThrows(ShapeMismatchException.class, () -> OpRun.one(new Reshape(), iota(12), ints(-1, -1)));
        assertFalse(new Reshape().isDifferentiable(1));
        GradCheck.check(new Reshape(), GradCheck.random(rnd, 2, 3, 4), ints(0, -1));
    }

    @Test
    void transpose() {
        Tensor x = iota(2, 3);
        Tensor y = OpRun.one(new Transpose(null), x);
        assertShape(y, 3, 2);
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, y.data());
        Tensor z = OpRun.one(new Transpose(new int[] {1, 2, 0}), iota(2, 3, 4));
        assertShape(z, 3, 4, 2);
        assertEquals(iota(2, 3, 4).get(1, 2, 3), z.get(2, 3, 1));
        for (int[] perm : new int[][] {{0, 2, 3, 1}, {3, 2, 1, 0}, {1, 0, 2, 3}, {0, 1, 2, 3}, {2, 0, 3, 1}}) {
            GradCheck.check(new Transpose(perm), GradCheck.random(rnd, 2, 3, 4, 2));
        }
        assertThrows(ShapeMismatchException.class, () -> OpRun.one(new Transpose(new int[] {0, 1}), iota(2, 3, 4)));
    }

    @Test
    void squeezeAndUnsqueeze() {
        Tensor x = iota(1, 3, 1, 2);
        assertShape(OpRun.one(new Squeeze(null), x), 3, 2);
        assertShape(OpRun.one(new Squeeze(new int[] {0}), x), 3, 1, 2);
        assertShape(OpRun.one(new Squeeze(null), x, ints(-2)), 1, 3, 2);
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> OpRun.one(new Squeeze(new int[] {1}), x));
        assertTrue(e.getMessage().contains("size 3, expected 1"), e.getMessage());
        assertShape(OpRun.one(new Unsqueeze(new int[] {0, 3}), iota(3, 2)), 1, 3, 2, 1);
        assertShape(OpRun.one(new Unsqueeze(null), iota(3, 2), ints(-1)), 3, 2, 1);
        assertShape(OpRun.one(new Unsqueeze(null), Tensor.scalar(5), ints(0)), 1);
        GradCheck.check(new Squeeze(null), GradCheck.random(rnd, 1, 3, 1, 2), ints(0, 2));
        GradCheck.check(new Unsqueeze(null), GradCheck.random(rnd, 3, 2), ints(1));
    }

    @Test
    void padConstantAsymmetric() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        // One row before, none after; none before, two columns after.
        Tensor y = OpRun.one(new Pad(Pad.Mode.CONSTANT), x, ints(1, 0, 0, 2), Tensor.scalar(9));
        assertShape(y, 3, 4);
        assertArrayEquals(new float[] {9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9}, y.data());
        // Attribute form (opset ≤ 10).
        Tensor z = OpRun.one(new Pad(Pad.Mode.CONSTANT, new int[] {0, 1, 0, 0}, 0f), x);
        assertArrayEquals(new float[] {0, 1, 2, 0, 3, 4}, z.data());
        GradCheck.check(new Pad(Pad.Mode.CONSTANT), GradCheck.random(rnd, 1, 2, 3, 4), ints(0, 0, 2, 1, 0, 1, 0, 3), Tensor.scalar(0.5f));
    }

    @Test
    void padNegativeCrops() {
        Tensor y = OpRun.one(new Pad(Pad.Mode.CONSTANT), iota(3, 4), ints(-1, 1, 0, -2));
        assertShape(y, 2, 3);
        assertArrayEquals(new float[] {0, 4, 5, 0, 8, 9}, y.data());
        GradCheck.check(new Pad(Pad.Mode.CONSTANT), GradCheck.random(rnd, 3, 4), ints(-1, 1, 0, -2));
    }

    @Test
    void padReflectAndEdge() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3);
        assertArrayEquals(new float[] {3, 2, 1, 2, 3, 2, 1}, OpRun.one(new Pad(Pad.Mode.REFLECT), x, ints(0, 2, 0, 2)).data());
        assertArrayEquals(new float[] {1, 1, 1, 2, 3, 3}, OpRun.one(new Pad(Pad.Mode.EDGE), x, ints(0, 2, 0, 1)).data());
        GradCheck.check(new Pad(Pad.Mode.REFLECT), GradCheck.random(rnd, 2, 3, 4), ints(0, 1, 2, 0, 2, 3));
        GradCheck.check(new Pad(Pad.Mode.EDGE), GradCheck.random(rnd, 2, 3, 4), ints(1, 0, 2, 0, 2, 1));
        Pad fromOnnx = (Pad) OpFactory.create("Pad", "n", Attributes.of("mode", "reflect"));
        assertArrayEquals(new float[] {2, 1, 2, 3}, OpRun.one(fromOnnx, x, ints(0, 1, 0, 0)).data());
        assertThrows(UnsupportedOpException.class, () -> OpFactory.create("Pad", "n", Attributes.of("mode", "wrap")));
    }

    @Test
    void constants() {
        Tensor v = iota(2, 2);
        assertSame(v, OpRun.one((Constant) OpFactory.create("Constant", "c", Attributes.of("value", v))));
        assertShape(OpRun.one(OpFactory.create("Constant", "c", Attributes.of("value_float", 2.5))));
        assertArrayEquals(new float[] {7}, OpRun.one(OpFactory.create("Constant", "c", Attributes.of("value_int", 7))).data());
        assertArrayEquals(new float[] {1, -1}, OpRun.one(OpFactory.create("Constant", "c",
                Attributes.of("value_ints", new int[] {1, -1}))).data());
        assertArrayEquals(new float[] {0.5f}, OpRun.one(OpFactory.create("Constant", "c",
                Attributes.of("value_floats", new float[] {0.5f}))).data());
        Tensor c = OpRun.one(OpFactory.create("ConstantOfShape", "c", Attributes.of("value", Tensor.of(new float[] {3}, 1))), ints(2, 2));
        assertShape(c, 2, 2);
        assertArrayEquals(new float[] {3, 3, 3, 3}, c.data());
        assertArrayEquals(new float[] {0, 0}, OpRun.one(new ConstantOfShape(0), ints(2)).data());
    }

    @Test
    void shapeWithStartAndEnd() {
        Tensor x = Tensor.zeros(2, 3, 4, 5);
        assertArrayEquals(new float[] {2, 3, 4, 5}, OpRun.one(new Shape(), x).data());
        assertArrayEquals(new float[] {3, 4}, OpRun.one(new Shape(1, 3), x).data());
        assertArrayEquals(new float[] {4, 5}, OpRun.one(new Shape(-2, null), x).data());
        assertArrayEquals(new float[] {2, 3, 4}, OpRun.one(new Shape(-10, -1), x).data());
        assertArrayEquals(new float[] {}, OpRun.one(new Shape(3, 1), x).data());
        Shape fromOnnx = (Shape) OpFactory.create("Shape", "s", Attributes.of("start", 1, "end", Long.MAX_VALUE));
        assertArrayEquals(new float[] {3, 4, 5}, OpRun.one(fromOnnx, x).data());
        assertShape(OpRun.one(new Shape(), Tensor.scalar(1)), 0);
    }

    @Test
    void gatherWithNegativeIndices() {
        Tensor x = iota(3, 2);
        Tensor y = OpRun.one(new Gather(0), x, ints(-1, 0));
        assertShape(y, 2, 2);
        assertArrayEquals(new float[] {4, 5, 0, 1}, y.data());
        // Scalar index drops the axis: the Shape -> Gather idiom.
        Tensor s = OpRun.one(new Gather(0), Tensor.of(new float[] {8, 3, 224, 224}, 4), Tensor.scalar(0));
        assertShape(s);
        assertEquals(8f, s.data()[0]);
        Tensor z = OpRun.one(new Gather(1), iota(2, 3), Tensor.of(new float[] {2, -3, 1, 1}, 2, 2));
        assertShape(z, 2, 2, 2);
        assertArrayEquals(new float[] {2, 0, 1, 1, 5, 3, 4, 4}, z.data());
        assertThrows(IllegalArgumentException.class, () -> OpRun.one(new Gather(0), x, ints(3)));
        GradCheck.check(new Gather(1), GradCheck.random(rnd, 2, 4, 3), Tensor.of(new float[] {0, -1, 0, 2}, 2, 2));
        GradCheck.check(new Gather(-1), GradCheck.random(rnd, 2, 4, 3), Tensor.scalar(1));
    }

    @Test
    void castTruncatesToIntegers() {
        Tensor x = Tensor.of(new float[] {2.7f, -2.7f, 0f}, 3);
        assertSame(x.data(), OpRun.one(new Cast(Cast.FLOAT), x).data());
        assertArrayEquals(new float[] {2, -2, 0}, OpRun.one(new Cast(7), x).data());
        assertArrayEquals(new float[] {1, 1, 0}, OpRun.one(new Cast(Cast.BOOL), x).data());
        assertTrue(new Cast(Cast.FLOAT).isDifferentiable(0));
        assertFalse(new Cast(7).isDifferentiable(0));
        GradCheck.check(new Cast(11), GradCheck.random(rnd, 2, 3));
    }

    @Test
    void sliceWithStepsAndHugeEnds() {
        Tensor x = iota(3, 4);
        // x[1:, ::2]
        Tensor y = OpRun.one(new Slice(), x, ints(1, 0), ints(Long.MAX_VALUE, Long.MAX_VALUE), ints(0, 1), ints(1, 2));
        assertShape(y, 2, 2);
        assertArrayEquals(new float[] {4, 6, 8, 10}, y.data());
        // x[:, ::-1] spelled the ONNX way: start -1, end INT64_MIN.
        Tensor r = OpRun.one(new Slice(), x, ints(-1), ints(Long.MIN_VALUE), ints(1), ints(-1));
        assertArrayEquals(new float[] {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8}, r.data());
        // x[-2:, 1:3] with default axes and steps.
        Tensor z = OpRun.one(new Slice(), x, ints(-2, 1), ints(100, 3));
        assertArrayEquals(new float[] {5, 6, 9, 10}, z.data());
        // Opset ≤ 9 attribute form and an empty result.
        assertArrayEquals(new float[] {1, 5, 9}, OpRun.one(new Slice(new int[] {1}, new int[] {2}, new int[] {-1}), x).data());
        assertShape(OpRun.one(new Slice(), x, ints(3), ints(1)), 0, 4);
        GradCheck.check(new Slice(), GradCheck.random(rnd, 3, 5, 4), ints(0, 4, 1), ints(3, 0, Long.MAX_VALUE), ints(0, 1, 2), ints(2, -2, 1));
    }

    @Test
    void expand() {
        Tensor y = OpRun.one(new Expand(), Tensor.of(new float[] {1, 2, 3}, 3, 1), ints(2, 1, 2));
        assertShape(y, 2, 3, 2);
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, y.data());
        // A 1 in the requested shape keeps the input's dimension.
        assertShape(OpRun.one(new Expand(), iota(2, 3), ints(1, 1)), 2, 3);
        assertThrows(ShapeMismatchException.class, () -> OpRun.one(new Expand(), iota(2, 3), ints(4, 3)));
        GradCheck.check(new Expand(), GradCheck.random(rnd, 3, 1), ints(2, 3, 4));
    }

    @Test
    void range() {
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, OpRun.one(new Range(), Tensor.scalar(0), Tensor.scalar(5), Tensor.scalar(1)).data());
        assertArrayEquals(new float[] {10, 7, 4}, OpRun.one(new Range(), Tensor.scalar(10), Tensor.scalar(1), Tensor.scalar(-3)).data());
        assertShape(OpRun.one(new Range(), Tensor.scalar(3), Tensor.scalar(1), Tensor.scalar(1)), 0);
    }

    @Test
    void reductions() {
        Tensor x = iota(2, 3);
        assertArrayEquals(new float[] {3, 12}, OpRun.one(new Reduce(Reduce.Kind.SUM, null, false, false), x, ints(1)).data());
        Tensor m = OpRun.one(new Reduce(Reduce.Kind.MEAN, new int[] {0}, true, false), x);
        assertShape(m, 1, 3);
        assertArrayEquals(new float[] {1.5f, 2.5f, 3.5f}, m.data());
        Tensor all = OpRun.one(new Reduce(Reduce.Kind.SUM, null, false, false), x);
        assertShape(all);
        assertEquals(15f, all.data()[0]);
        assertSame(x.data(), OpRun.one(new Reduce(Reduce.Kind.SUM, null, true, true), x, ints()).data());
        Reduce mean = (Reduce) OpFactory.create("ReduceMean", "r", Attributes.of("axes", new int[] {2, 3}));
        assertShape(OpRun.one(mean, Tensor.zeros(2, 3, 4, 5)), 2, 3, 1, 1);
        GradCheck.check(mean, GradCheck.random(rnd, 2, 3, 4, 5));
        GradCheck.check(new Reduce(Reduce.Kind.SUM, null, false, false), GradCheck.random(rnd, 2, 3, 4), ints(-1, 0));
        GradCheck.check(new Reduce(Reduce.Kind.MEAN, null, false, false), GradCheck.random(rnd, 2, 3));
    }

    @Test
    void split() {
        Tensor[] parts = OpRun.all(new Split(1, null, 0), iota(2, 5), ints(2, 3));
        assertEquals(2, parts.length);
        assertArrayEquals(new float[] {0, 1, 5, 6}, parts[0].data());
        assertArrayEquals(new float[] {2, 3, 4, 7, 8, 9}, parts[1].data());
        Tensor[] equal = OpRun.all(OpFactory.create("Split", "s", Attributes.of("axis", 0, "num_outputs", 3)), iota(6));
        assertEquals(3, equal.length);
        assertArrayEquals(new float[] {4, 5}, equal[2].data());
        assertThrows(ShapeMismatchException.class, () -> OpRun.all(new Split(0, new int[] {1, 2}, 0), iota(4)));
        GradCheck.check(new Split(-1, new int[] {1, 3}, 0), GradCheck.random(rnd, 2, 3, 4));
    }

    @Test
    void factoryKnowsEveryOp() {
        for (String t : new String[] {"Add", "Sub", "Mul", "Div", "Pow", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Softmax",
                "Dropout", "Identity", "Concat", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Pad", "Constant",
                "Shape", "Gather", "Cast", "ConstantOfShape", "Slice", "Expand", "Range", "ReduceMean", "ReduceSum", "Split",
                "Sqrt", "Exp"}) {
            assertTrue(OpFactory.supports(t), t);
        }
        assertEquals("Mul", OpFactory.create("Mul", "m", Attributes.empty()).type());
        assertEquals(4, ((Concat) OpFactory.create("Concat", "c", Attributes.of("axis", 4))).axis());
    }
}
