package dev.loupe.explain;

/**
 * The per-channel preprocessing {@code (pixel - mean) / std} the model expects. Methods that speak
 * about pixel values (occlusion's gray fill) need it to find those values in the model's input space.
 */
public record Normalization(float[] mean, float[] std) {
    /** Inputs are raw pixels in [0, 1]. */
    public static final Normalization IDENTITY = new Normalization(new float[] {0f}, new float[] {1f});

    public Normalization {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("mean has " + mean.length + " values but std has " + std.length);
        }
        mean = mean.clone();
        std = std.clone();
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std values must be positive, got " + s);
            }
        }
    }

    /** The model-space value of raw pixel value {@code pixel} in channel {@code channel}. */
    public float normalize(float pixel, int channel) {
        int k = mean.length == 1 ? 0 : channel;
        if (k >= mean.length) {
            throw new IllegalArgumentException("the normalisation has " + mean.length + " channels but the input has more");
        }
        return (pixel - mean[k]) / std[k];
    }
}
