package dev.loupe.onnx;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * Copies its input to its output. Used only where the importer removed a no-op node (Identity,
 * inference Dropout, Cast to a float type) whose output is a graph output, so the output's name
 * still exists; everywhere else such nodes are bypassed, not run.
 */
final class PassThrough implements Op {
    @Override
    public String type() {
        return "Identity";
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        return new Tensor[] {inputs[0]};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        return new Tensor[] {gradOutputs[0]};
    }
}
