package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * Outputs a fixed tensor and has no inputs, so backward has nothing to return. Built from one of
 * the attributes {@code value} (a tensor), {@code value_float}/{@code value_int} (scalars) or
 * {@code value_floats}/{@code value_ints} (1-D); integers become float32 like every integer
 * tensor in this engine. The value is handed out as is: consumers treat it as read-only.
 */
public final class Constant implements Op {
    private final Tensor value;

    public Constant(Tensor value) {
        this.value = value;
    }

    static Constant fromAttributes(Attributes a) {
        if (a.has("value")) {
            return new Constant(a.getTensor("value"));
        }
        if (a.has("value_float")) {
            return new Constant(Tensor.scalar(a.getFloat("value_float", 0f)));
        }
        if (a.has("value_int")) {
            return new Constant(Tensor.scalar(a.getLong("value_int", 0)));
        }
        if (a.has("value_floats")) {
            float[] f = a.getFloats("value_floats", null).clone();
            return new Constant(Tensor.of(f, f.length));
        }
        if (a.has("value_ints")) {
            int[] v = a.getInts("value_ints", null);
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = v[i];
            }
            return new Constant(Tensor.of(f, f.length));
        }
        throw new UnsupportedOpException("Constant needs one of value, value_float(s), value_int(s); got "
                + a.names() + " (sparse and string constants are not supported)");
    }

    public Tensor value() {
        return value;
    }

    @Override
    public String type() {
        return "Constant";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        return new Tensor[] {value};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        return new Tensor[needInputGrad.length];
    }
}
