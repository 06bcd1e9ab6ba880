package dev.loupe.render.image;

import java.awt.geom.Rectangle2D;

/**
 * Where the model's input came from in the original photo: the photo was resized to
 * {@code resizedWidth x resizedHeight} and then the box {@code (cropX, cropY, cropWidth, cropHeight)}
 * of the resized picture was kept. Maps of the model's input size can be drawn back onto the
 * original through {@link #cropInOriginal()}.
 */
public record Geometry(int originalWidth, int originalHeight, int resizedWidth, int resizedHeight,
        int cropX, int cropY, int cropWidth, int cropHeight) {

    /** The geometry of an image used as it is. */
    public static Geometry identity(int width, int height) {
        return new Geometry(width, height, width, height, 0, 0, width, height);
    }

    /** The crop box in the original photo's pixel coordinates. */
    public Rectangle2D.Double cropInOriginal() {
        double sx = (double) originalWidth / resizedWidth;
        double sy = (double) originalHeight / resizedHeight;
        return new Rectangle2D.Double(cropX * sx, cropY * sy, cropWidth * sx, cropHeight * sy);
    }
}
