package dev.loupe.render.image;

import dev.loupe.engine.Tensor;
import java.awt.image.BufferedImage;

/**
 * A photo ready for a model.
 *
 * @param tensor the {@code [1, 3, H, W]} input
 * @param view the RGB picture the model sees (resized and cropped, before normalisation)
 * @param original the photo as loaded
 * @param geometry where {@code view} lies in {@code original}
 */
public record Preprocessed(Tensor tensor, BufferedImage view, BufferedImage original, Geometry geometry) {
}
