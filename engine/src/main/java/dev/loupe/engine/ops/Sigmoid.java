package dev.loupe.engine.ops;

/** {@code y = 1 / (1 + e^-x)}; {@code dy/dx = y·(1 - y)}. */
public final class Sigmoid extends OutputDifferentiableUnary {
    @Override
    public String type() {
        return "Sigmoid";
    }

    @Override
    float apply(float x) {
        // Two branches so e^|x| never overflows.
        if (x >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    @Override
    float slope(float y) {
        return y * (1f - y);
    }
}
