package dev.loupe.onnx.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared fixtures (system property {@code loupe.shared.dir}); skips tests when they are absent. */
public final class Shared {
    private Shared() {
    }

    /** The shared folder, or a skipped test when it is not configured or missing. */
    public static Path dir() {
        String p = System.getProperty("loupe.shared.dir");
        assumeTrue(p != null && !p.isBlank(), "loupe.shared.dir is not set; run through Maven to use the shared fixtures");
        Path dir = Path.of(p);
        assumeTrue(Files.isDirectory(dir), "shared fixtures not found at " + dir + "; skipping");
        return dir;
    }

    /** A file under the shared folder, or a skipped test when it is missing. */
    public static Path file(String relative) {
        Path f = dir().resolve(relative);
        assumeTrue(Files.exists(f), "shared fixture " + f + " is missing; skipping");
        return f;
    }
}
