package dev.loupe.render;

/** A 2-D map of raw values, row-major, {@code width x height}. */
public record Heatmap(int width, int height, float[] values) {
    public Heatmap {
        if (values.length != width * height) {
            throw new IllegalArgumentException(width + "x" + height + " map with " + values.length + " values");
        }
    }

    public float at(int x, int y) {
        return values[y * width + x];
    }

    /** This map resized to another size with the area-aware triangle filter. */
    public Heatmap resized(int w, int h) {
        if (w == width && h == height) {
            return this;
        }
        return new Heatmap(w, h, dev.loupe.render.image.Resample.resizeFloat(values, width, height, w, h));
    }
}
