package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.ShapeMismatchException;
import dev.loupe.engine.Tensor;

/**
 * Gives x the shape read from input 1, sharing x's data. In the shape, -1 (at most once) is
 * inferred from the element count and 0 copies the input's dimension at that position, unless
 * {@code allowzero} (opset 14) is set, in which case 0 is a literal zero. Backward reshapes the
 * gradient back; the shape input is not differentiable.
 */
public final class Reshape implements Op {
    private final boolean allowZero;

    public Reshape(boolean allowZero) {
        this.allowZero = allowZero;
    }

    public Reshape() {
        this(false);
    }

    /** Whether a 0 in the shape is a literal zero (opset 14 {@code allowzero}). */
    public boolean allowZero() {
        return allowZero;
    }

    @Override
    public String type() {
        return "Reshape";
    }

    @Override
    public boolean isDifferentiable(int inputIndex) {
        return inputIndex == 0;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] out = resolve(x.shape(), Shapes.ints(inputs[1]), allowZero);
        saved.put((Object) x.shape());
        return new Tensor[] {x.reshape(out)};
    }

    /** The concrete shape for a requested one with 0 and -1 entries. */
    static int[] resolve(int[] in, int[] requested, boolean allowZero) {
        int[] out = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= in.length) {
                    throw new ShapeMismatchException("Reshape into " + Shapes.str(requested) + ": 0 at position " + i
                            + " copies an input dimension but the input " + Shapes.str(in) + " has only " + in.length);
                }
                out[i] = in[i];
            } else if (out[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeMismatchException("Reshape into " + Shapes.str(requested) + ": more than one -1");
                }
                infer = i;
                continue;
            } else if (out[i] < 0) {
                throw new ShapeMismatchException("Reshape into " + Shapes.str(requested) + ": negative dimension " + out[i]);
            }
            known *= out[i];
        }
        long size = Tensor.sizeOf(in);
        if (infer >= 0) {
            if (known == 0 || size % known != 0) {
                throw new ShapeMismatchException("Reshape of " + size + " values into " + Shapes.str(requested)
                        + ": " + size + " is not a multiple of " + known);
            }
            out[infer] = (int) (size / known);
        } else if (known != size) {
            throw new ShapeMismatchException("Reshape of " + size + " values " + Shapes.str(in) + " into "
                    + Shapes.str(requested) + " (" + known + " values)");
        }
        return out;
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        int[] shape = saved.get(0);
        return new Tensor[] {gradOutputs[0].reshape(shape), null};
    }
}
