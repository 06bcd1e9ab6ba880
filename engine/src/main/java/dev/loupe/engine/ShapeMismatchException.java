package dev.loupe.engine;

/** An input or intermediate tensor whose shape does not fit what the model or an op expects. */
public class ShapeMismatchException extends IllegalArgumentException {
    public ShapeMismatchException(String message) {
        super(message);
    }
}
