package dev.loupe.explain.rules;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.BackwardRule;
import dev.loupe.engine.Node;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.kernels.Masks;

/**
 * The three ways of sending a gradient back through a ReLU that the lecture compares. All of them
 * rely on the engine's {@code Relu} saving its output {@code y}: {@code y > 0} exactly where the
 * input was positive, so the forward mask needs no extra memory.
 *
 * <ul>
 *   <li>{@link #GRADIENT}: {@code 1[x>0]·g}, plain backpropagation ("vanilla");</li>
 *   <li>{@link #DECONVNET}: {@code max(g, 0)}, the forward mask is ignored (Zeiler &amp; Fergus);</li>
 *   <li>{@link #GUIDED}: {@code 1[x>0]·max(g, 0)} (Springenberg et al.).</li>
 * </ul>
 */
public final class ReluRules {
    private ReluRules() {
    }

    /** Plain backpropagation, identical to {@code Relu}'s own backward; useful to make a composite explicit. */
    public static final BackwardRule GRADIENT = (node, saved, g, need) -> apply(saved, g, true, false);

    /** DeconvNet: only positive gradients pass, wherever the forward activation was. */
    public static final BackwardRule DECONVNET = (node, saved, g, need) -> apply(saved, g, false, true);

    /** Guided backpropagation: positive gradients through positive activations only. */
    public static final BackwardRule GUIDED = (node, saved, g, need) -> apply(saved, g, true, true);

    private static Tensor[] apply(Saved saved, Tensor[] gradOutputs, boolean forwardMask, boolean positiveGrad) {
        Tensor g = gradOutputs[0];
        float[] gd = g.data();
        float[] out = Buffers.output(gd.length);
        float[] y = forwardMask ? saved.tensor(0).data() : null;
        if (forwardMask && positiveGrad) {
            Masks.positiveWherePositive(y, gd, out);
        } else if (forwardMask) {
            Masks.wherePositive(y, gd, out);
        } else if (positiveGrad) {
            Masks.positive(gd, out);
        } else {
            System.arraycopy(gd, 0, out, 0, gd.length);
        }
        return new Tensor[] {new Tensor(g.shape(), out)};
    }

    /** Whether {@code node} is one the ReLU rules apply to. */
    static boolean isRelu(Node node) {
        return node.type().equals("Relu");
    }
}
