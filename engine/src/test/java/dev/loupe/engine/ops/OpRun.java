package dev.loupe.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/** Small helpers for op tests. */
final class OpRun {
    private OpRun() {
    }

    /** Runs forward and checks that no input was modified. */
    static Tensor[] all(Op op, Tensor... inputs) {
        float[][] before = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            before[i] = inputs[i] == null ? null : inputs[i].data().clone();
        }
        Tensor[] out = op.forward(inputs.clone(), new Saved());
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null) {
                assertArrayEquals(before[i], inputs[i].data(), op.type() + " modified input " + i);
            }
        }
        return out;
    }

    static Tensor one(Op op, Tensor... inputs) {
        return all(op, inputs)[0];
    }

    /** A 1-D tensor of integer values, as shapes/axes/indices are represented. */
    static Tensor ints(long... v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return Tensor.of(f, v.length);
    }

    /** 0, 1, 2, ... in the given shape. */
    static Tensor iota(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = i;
        }
        return t;
    }

    static void assertShape(Tensor t, int... shape) {
        assertArrayEquals(shape, t.shape(), "shape");
    }
}
