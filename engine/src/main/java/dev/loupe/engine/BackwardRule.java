package dev.loupe.engine;

/**
 * Replaces a node's backward step. A rule sees only what the node saved during the forward pass
 * and the gradients arriving at its outputs, and returns gradients for its inputs, like
 * {@link Op#backward}. The gradient, DeconvNet and guided-backprop rules for ReLU are rules.
 */
@FunctionalInterface
public interface BackwardRule {
    Tensor[] backward(Node node, Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad);
}
