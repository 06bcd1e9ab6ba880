package dev.loupe.engine.ops;

/** {@code y = tanh(x)}; {@code dy/dx = 1 - y²}. */
public final class Tanh extends OutputDifferentiableUnary {
    @Override
    public String type() {
        return "Tanh";
    }

    @Override
    float apply(float x) {
        return (float) Math.tanh(x);
    }

    @Override
    float slope(float y) {
        return 1f - y * y;
    }
}
