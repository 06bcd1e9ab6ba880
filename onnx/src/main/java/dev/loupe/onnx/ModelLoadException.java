package dev.loupe.onnx;

/**
 * A model file could not be turned into a graph. The message names the file, what is wrong and
 * what to do about it, so callers can show it to people as it is.
 */
public class ModelLoadException extends Exception {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
