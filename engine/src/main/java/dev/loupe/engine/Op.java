package dev.loupe.engine;

/**
 * One operation with its forward computation and its vector-Jacobian product side by side.
 *
 * <p>Ops are immutable and may be shared by threads: per-call state lives in {@link Saved}.
 */
public interface Op {
    /** The ONNX op type this op implements, for example {@code "Conv"}. */
    String type();

    /**
     * Computes the outputs. Inputs are not modified. Whatever backward needs goes into {@code saved}.
     * Optional inputs that are absent arrive as {@code null}.
     */
    Tensor[] forward(Tensor[] inputs, Saved saved);

    /**
     * The vector-Jacobian product: given the gradients of the outputs (a {@code null} entry means
     * zero), returns the gradients of the inputs, one per input. An entry is computed only where
     * {@code needInputGrad[i]} is true and may be {@code null} otherwise or for inputs that are not
     * differentiable (shapes, indices). Gradients of weights are not part of this contract.
     */
    Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad);

    /**
     * Whether each item of the output (index 0 of the first axis) is an affine function of the same
     * item of input 0 alone, once every other input is fixed. Then the backward pass to input 0
     * reads no forward values, and the vector-Jacobian product of a sum of output gradients is the
     * sum of the products: methods that average gradients over many copies of an image (SmoothGrad,
     * integrated gradients) sum at such an op's output and run its backward once. False unless an
     * op says otherwise; {@code OpsAffinityTest} checks every op that does.
     */
    default boolean isAffinePerItem() {
        return false;
    }

    /** Whether input {@code i} can carry a gradient at all (false for shapes, indices, axes). */
    default boolean isDifferentiable(int inputIndex) {
        return true;
    }
}
