package dev.loupe.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Ctrl-C for long dataset runs: the first interrupt asks the run to stop after the current batch,
 * and the JVM's exit waits (up to a minute) until the command has written what it has.
 */
final class Cancel implements BooleanSupplier, AutoCloseable {
    private volatile boolean requested;
    private final CountDownLatch written = new CountDownLatch(1);
    private final Thread hook;

    Cancel() {
        hook = new Thread(() -> {
            requested = true;
            try {
                written.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loupe-cancel");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down.
        }
    }

    @Override
    public boolean getAsBoolean() {
        return requested;
    }

    /** Results are on disk (or there are none): let the JVM exit. */
    @Override
    public void close() {
        written.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Shutting down: the hook is running and now released.
        }
    }
}
