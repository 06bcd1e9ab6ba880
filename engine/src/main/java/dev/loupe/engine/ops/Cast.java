package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * Converts element types. Every tensor here is float32, so the output stays float32 but takes the
 * target type's values: to a floating type ({@code FLOAT}, {@code DOUBLE}, {@code FLOAT16},
 * {@code BFLOAT16}) it is the identity (no half-precision rounding); to an integer type it
 * truncates toward zero (as C and numpy do); to {@code BOOL} it gives 1 for non-zero, else 0.
 * Strings are not supported.
 *
 * <p>Backward passes the gradient through for floating targets; casting to integers or bools
 * cuts the graph, like in PyTorch, so the input is then not differentiable.
 */
public final class Cast implements Op {
    /** ONNX TensorProto.DataType codes. */
    public static final int FLOAT = 1;
    public static final int BOOL = 9;
    public static final int STRING = 8;

    private final int to;

    public Cast(int to) {
        if (to == STRING) {
            throw new UnsupportedOpException("Cast to STRING is not supported");
        }
        this.to = to;
    }

    public int to() {
        return to;
    }

    private boolean floating() {
        // FLOAT, FLOAT16, DOUBLE, BFLOAT16 and the float8 types of opset 19+.
        return to == FLOAT || to == 10 || to == 11 || to == 16 || (to >= 17 && to <= 20);
    }

    @Override
    public String type() {
        return "Cast";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return floating();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        if (floating()) {
            return new Tensor[] {x.reshape(x.shape())};
        }
        float[] d = x.data();
        float[] y = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            y[i] = to == BOOL ? (d[i] != 0f ? 1f : 0f) : (float) (long) d[i];
        }
        return new Tensor[] {new Tensor(x.shape(), y)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        return new Tensor[] {floating() ? gradOutputs[0] : null};
    }
}
