package dev.loupe.cli;

import dev.loupe.explain.Progress;
import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr, redrawn in place. It stays silent for the first half second
 * so quick methods print nothing, and finishes its line when the work is done.
 */
final class ProgressBar implements Progress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final String label;
    private final long start = System.nanoTime();
    private int lastPercent = -1;
    private boolean drawn;

    ProgressBar(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    @Override
    public void update(long done, long total) {
        if (total <= 0) {
            return;
        }
        int percent = (int) Math.min(100, done * 100 / total);
        boolean finished = done >= total;
        if (!drawn && System.nanoTime() - start < 500_000_000L) {
            return;
        }
        if (percent == lastPercent && !finished) {
            return;
        }
        lastPercent = percent;
        int filled = percent * WIDTH / 100;
        err.print("\r" + label + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + percent + "% ("
                + done + "/" + total + ")");
        drawn = true;
        if (finished) {
            err.println();
            drawn = false;
            lastPercent = -1;
        }
        err.flush();
    }

    /** Ends a bar left unfinished (e.g. when a method reports fewer units than announced). */
    void close() {
        if (drawn) {
            err.println();
            err.flush();
            drawn = false;
        }
    }
}
