package dev.loupe.render.image;

import java.io.IOException;

/** An image file could not be read; the message names the file and says why. */
public class ImageReadException extends IOException {
    public ImageReadException(String message) {
        super(message);
    }

    public ImageReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
