package dev.loupe.engine.ops;

/** ONNX {@code auto_pad}: explicit pads, or pads chosen so the output is ceil(input / stride) or unpadded. */
public enum AutoPad {
    NOTSET, SAME_UPPER, SAME_LOWER, VALID;

    /** Parses the attribute value; an empty string means NOTSET. */
    public static AutoPad parse(String value) {
        if (value == null || value.isEmpty()) {
            return NOTSET;
        }
        try {
            return valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedOpException("unknown auto_pad '" + value + "'; expected NOTSET, SAME_UPPER, SAME_LOWER or VALID");
        }
    }
}
