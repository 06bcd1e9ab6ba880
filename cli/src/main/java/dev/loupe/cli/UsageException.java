package dev.loupe.cli;

/** A problem with what the user asked for (exit code 2), found after picocli's own parsing. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }

    UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
