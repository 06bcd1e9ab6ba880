package dev.loupe.explain;

/**
 * Book-keeping shared by the methods of one explanation: the progress callback and counts of the
 * forward and backward passes run (reported in {@link Attribution}). Not thread-safe; one per run.
 */
public final class RunContext {
    private final Progress progress;
    private int forwardPasses;
    private int backwardPasses;

    public RunContext(Progress progress) {
        this.progress = progress == null ? Progress.NONE : progress;
    }

    public static RunContext quiet() {
        return new RunContext(Progress.NONE);
    }

    public Progress progress() {
        return progress;
    }

    public void countForward() {
        forwardPasses++;
    }

    public void countBackward() {
        backwardPasses++;
    }

    public int forwardPasses() {
        return forwardPasses;
    }

    public int backwardPasses() {
        return backwardPasses;
    }
}
