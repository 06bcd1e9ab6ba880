package dev.loupe.explain;

/**
 * Progress of a long explanation (occlusion windows, integrated-gradient steps, SmoothGrad
 * samples), reported after each evaluated batch. Called on the explaining thread.
 */
@FunctionalInterface
public interface Progress {
    /** Reports nothing. */
    Progress NONE = (done, total) -> { };

    /** {@code done} of {@code total} units (windows, steps or samples) are finished. */
    void update(long done, long total);
}
