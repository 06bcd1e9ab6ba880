package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import java.util.Map;
import java.util.function.Function;

/**
 * Registers element-wise, activation and shape ops. Where ONNX moved a setting from an attribute
 * to an input (Squeeze/Unsqueeze/Reduce axes, Clip bounds, Pad pads, Slice starts/ends, Split
 * sizes) the attribute, if present, is the fallback and the input wins when given.
 *
 * <p>Two settings depend on what {@link Attributes} cannot carry, so the loader should add them:
 * {@link Softmax#OPSET_ATTRIBUTE} (the model's opset, for Softmax's pre-13 semantics) and, for
 * Split without sizes before opset 18, {@code num_outputs} (the node's output count).
 */
final class TensorOps {
    private TensorOps() {
    }

    static void register(Map<String, Function<Attributes, Op>> creators) {
        for (Binary.Kind k : Binary.Kind.values()) {
            creators.put(k.onnx, a -> new Binary(k));
        }
        creators.put("LeakyRelu", a -> new LeakyRelu(a.getFloat("alpha", 0.01f)));
        creators.put("Clip", a -> new Clip(a.getFloat("min", Float.NEGATIVE_INFINITY), a.getFloat("max", Float.POSITIVE_INFINITY)));
        creators.put("Sigmoid", a -> new Sigmoid());
        creators.put("Tanh", a -> new Tanh());
        creators.put("Exp", a -> new Exp());
        creators.put("Sqrt", a -> new Sqrt());
        creators.put("Softmax", Softmax::fromAttributes);
        creators.put("Dropout", a -> new Dropout());
        creators.put("Identity", a -> new Identity());
        creators.put("Concat", a -> {
            if (!a.has("axis")) {
                throw new IllegalArgumentException("Concat needs the axis attribute");
            }
            return new Concat(a.getInt("axis", 0));
        });
        creators.put("Flatten", a -> new Flatten(a.getInt("axis", 1)));
        creators.put("Reshape", a -> new Reshape(a.getLong("allowzero", 0) != 0));
        creators.put("Transpose", a -> new Transpose(a.getInts("perm", null)));
        creators.put("Squeeze", a -> new Squeeze(a.getInts("axes", null)));
        creators.put("Unsqueeze", a -> new Unsqueeze(a.getInts("axes", null)));
        creators.put("Pad", Pad::fromAttributes);
        creators.put("Constant", Constant::fromAttributes);
        // Clamp so INT64 extremes (meaning "to the end") cannot overflow.
        creators.put("Shape", a -> new Shape(clampToInt(a.getLong("start", 0)), a.has("end") ? clampToInt(a.getLong("end", 0)) : null));
        creators.put("Gather", a -> new Gather(a.getInt("axis", 0)));
        creators.put("Cast", a -> {
            if (!a.has("to")) {
                throw new IllegalArgumentException("Cast needs the 'to' attribute");
            }
            return new Cast(a.getInt("to", Cast.FLOAT));
        });
        creators.put("ConstantOfShape", ConstantOfShape::fromAttributes);
        creators.put("Slice", a -> new Slice(a.getInts("starts", null), a.getInts("ends", null), a.getInts("axes", null)));
        creators.put("Expand", a -> new Expand());
        creators.put("Range", a -> new Range());
        creators.put("ReduceSum", a -> Reduce.fromAttributes(Reduce.Kind.SUM, a));
        creators.put("ReduceMean", a -> Reduce.fromAttributes(Reduce.Kind.MEAN, a));
        creators.put("Split", Split::fromAttributes);
    }

    private static int clampToInt(long v) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }
}
