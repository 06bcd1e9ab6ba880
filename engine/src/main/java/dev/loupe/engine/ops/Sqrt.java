package dev.loupe.engine.ops;

/** {@code y = √x} (NaN for negative x, as ONNX); {@code dy/dx = 1 / (2y)}, infinite at {@code x = 0} like PyTorch. */
public final class Sqrt extends OutputDifferentiableUnary {
    @Override
    public String type() {
        return "Sqrt";
    }

    @Override
    float apply(float x) {
        return (float) Math.sqrt(x);
    }

    @Override
    float slope(float y) {
        return 1f / (2f * y);
    }
}
