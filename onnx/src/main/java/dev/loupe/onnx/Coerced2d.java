package dev.loupe.onnx;

import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;

/**
 * Softmax, LogSoftmax and Hardmax before opset 13: the input is viewed as a matrix whose rows are
 * everything from {@code axis} on, and the op runs over each row. (Opset 13 changed this to one
 * axis.) The engine's op runs on the 2-D view along its last axis; for the usual 2-D logits the
 * two meanings agree.
 */
final class Coerced2d implements Op {
    private final Op inner;
    private final int axis;

    /** @param inner the engine op, built to work along the last axis */
    Coerced2d(Op inner, int axis) {
        this.inner = inner;
        this.axis = axis;
    }

    @Override
    public String type() {
        return inner.type();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Saved saved) {
        Tensor x = inputs[0];
        int[] shape = x.shape();
        int a = axis < 0 ? axis + shape.length : axis;
        if (a < 0 || a > shape.length) {
            throw new IllegalArgumentException("axis " + axis + " does not fit an input of rank " + shape.length);
        }
        int rows = 1;
        for (int i = 0; i < a; i++) {
            rows *= shape[i];
        }
        int cols = rows == 0 ? 0 : x.size() / rows;
        Saved innerSaved = new Saved();
        Tensor y = inner.forward(new Tensor[] {x.reshape(rows, cols)}, innerSaved)[0];
        saved.put(innerSaved, shape);
        return new Tensor[] {y.reshape(shape)};
    }

    @Override
    public Tensor[] backward(Saved saved, Tensor[] gradOutputs, boolean[] needInputGrad) {
        Saved innerSaved = saved.get(0);
        int[] shape = saved.get(1);
        Tensor g = gradOutputs[0];
        if (g == null) {
            return new Tensor[] {null};
        }
        int rows = 1;
        int a = axis < 0 ? axis + shape.length : axis;
        for (int i = 0; i < a; i++) {
            rows *= shape[i];
        }
        int cols = rows == 0 ? 0 : g.size() / rows;
        Tensor gx = inner.backward(innerSaved, new Tensor[] {g.reshape(rows, cols)}, needInputGrad)[0];
        return new Tensor[] {gx == null ? null : gx.reshape(shape)};
    }
}
