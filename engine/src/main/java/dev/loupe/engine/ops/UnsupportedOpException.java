package dev.loupe.engine.ops;

/** A model uses an op (or an op setting) that Loupe does not implement. */
public class UnsupportedOpException extends IllegalArgumentException {
    public UnsupportedOpException(String message) {
        super(message);
    }
}
