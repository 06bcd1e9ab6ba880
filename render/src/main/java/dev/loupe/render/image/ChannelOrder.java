package dev.loupe.render.image;

/** The order of the colour channels in the model's input tensor. */
public enum ChannelOrder {
    RGB, BGR;

    /** Parses "rgb" or "bgr", in any case. */
    public static ChannelOrder parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "rgb" -> RGB;
            case "bgr" -> BGR;
            default -> throw new IllegalArgumentException("unknown channel order '" + s + "'; use rgb or bgr");
        };
    }
}
