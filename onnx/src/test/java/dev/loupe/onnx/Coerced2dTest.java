package dev.loupe.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import org.junit.jupiter.api.Test;

/** The pre-opset-13 view: rows are everything from the axis on; shapes are restored both ways. */
class Coerced2dTest {
    /** Records the shape it was run on and divides each row by its sum. */
    private static final class RowNormalise implements Op {
        int[] seen;

        @Override
        public String type() {
            return "Softmax";
        }

        @Override
        public Tensor[] forward(Tensor[] inputs, Saved saved) {
            Tensor x = inputs[0];
            seen = x.shape();
            int cols = x.dim(-1);
            float[] y = x.data().clone();
            for (int r = 0; r < y.length / cols; r++) {
                float s = 0;
                for (int c = 0; c < cols; c++) {
                    s += y[r * cols + c];
                }
                for (int c = 0; c < cols; c++) {
                    y[r * cols + c] /= s;
                }
            }
            return new Tensor[] {new Tensor(x.shape(), y)};
        }

        @Override
        public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
            seen = gradOutputs[0].shape();
            return new Tensor[] {gradOutputs[0]};
        }
    }

    @Test
    void flattensFromAxisAndRestoresShape() {
        RowNormalise inner = new RowNormalise();
        Coerced2d op = new Coerced2d(inner, 1);
        Tensor x = Tensor.of(new float[] {1, 1, 1, 1, 2, 2, 2, 2}, 2, 2, 2);
        Saved s = new Saved();
        Tensor y = op.forward(new Tensor[] {x}, s)[0];
        assertArrayEquals(new int[] {2, 4}, inner.seen);
        assertArrayEquals(new int[] {2, 2, 2}, y.shape());
        assertArrayEquals(new float[] {.25f, .25f, .25f, .25f, .25f, .25f, .25f, .25f}, y.data());
        Tensor g = op.backward(s, new Tensor[] {Tensor.zeros(2, 2, 2)}, new boolean[] {true})[0];
        assertArrayEquals(new int[] {2, 4}, inner.seen);
        assertArrayEquals(new int[] {2, 2, 2}, g.shape());
        assertEquals("Softmax", op.type());
        new Coerced2d(inner, 0).forward(new Tensor[] {x}, new Saved());
        assertArrayEquals(new int[] {1, 8}, inner.seen);
    }
}
