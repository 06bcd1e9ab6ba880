package dev.loupe.explain.rules;

import dev.loupe.engine.BackwardRule;
import dev.loupe.engine.RuleComposite;

/**
 * Composites that give every {@code Relu} node one of the {@link ReluRules}; bind them for the
 * duration of one backward pass with {@code try (var b = graph.bindRules(Composites.guided())) {...}}.
 *
 * <p>Only ONNX {@code Relu} nodes are mapped. In particular ReLU6, which PyTorch exports as
 * {@code Clip(0, 6)}, keeps its plain gradient. This matches Captum 0.8, whose DeconvNet and
 * GuidedBackprop hook {@code torch.nn.ReLU} modules only: the tiny_mobile parity reference (a
 * ReLU6 network) has guided backprop and deconvnet maps identical to its saliency map, and so do ours.
 */
public final class Composites {
    private Composites() {
    }

    /** Every Relu node gets {@code rule}; all other nodes keep their own backward. */
    public static RuleComposite relu(BackwardRule rule) {
        return node -> ReluRules.isRelu(node) ? rule : null;
    }

    public static RuleComposite gradient() {
        return relu(ReluRules.GRADIENT);
    }

    public static RuleComposite deconvnet() {
        return relu(ReluRules.DECONVNET);
    }

    public static RuleComposite guided() {
        return relu(ReluRules.GUIDED);
    }
}
