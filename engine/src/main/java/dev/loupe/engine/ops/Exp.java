package dev.loupe.engine.ops;

/** {@code y = e^x}; {@code dy/dx = y}. */
public final class Exp extends OutputDifferentiableUnary {
    @Override
    public String type() {
        return "Exp";
    }

    @Override
    float apply(float x) {
        return (float) Math.exp(x);
    }

    @Override
    float slope(float y) {
        return y;
    }
}
