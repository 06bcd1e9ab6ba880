package dev.loupe.explain;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Tensor;

/**
 * Copies of one image (noisy samples, path points) split into batches, each computed whole on one
 * thread and handed on in order.
 *
 * <p>With two or more threads, every thread takes the next batch and runs its forward and backward
 * passes with serial kernels, instead of all threads splitting each op of one batch. A ResNet-18
 * gradient pass is over a hundred parallel sections, and at the end of each a thread waits for
 * the other; whole batches per thread have none of these waits. The results are handed to
 * {@code consume} in order, one at a time, so sums over batches are added in the same order
 * whatever the thread count.
 *
 * <p>The caller's batch is the most copies in flight at once, over all threads. Each thread's
 * batches may be capped lower still, for gradient methods at {@link #PER_THREAD}: on ResNet-18 at 224x224, SmoothGrad-50
 * on two threads took a median 1542, 1407 and 1385 ms with 1, 2 and 4 copies per thread, 1474 with
 * 5 and 1612 with 10, against 1536 ms for batches of 10 split op by op (a batch's activations
 * outgrow the caches). The batch count is rounded up to a multiple of the threads so they finish
 * together. {@code -Dloupe.batch-streams=false} computes batches of the caller's size one at a
 * time on all threads.
 */
public final class OrderedBatches {
    public static final boolean ENABLED = !"false".equals(System.getProperty("loupe.batch-streams"));
    /** Most copies in one thread's batch for gradient methods (see the class comment). */
    public static final int PER_THREAD = 4;

    /** Computes copies [from, to); runs on any thread, inside a recycling scope closed after consume. */
    @FunctionalInterface
    public interface Compute {
        Tensor run(int from, int to);
    }

    /** Receives the result of copies [from, to), in order, on one thread at a time. */
    @FunctionalInterface
    public interface Consume {
        void accept(int from, int to, Tensor result);
    }

    private OrderedBatches() {
    }

    /**
     * Runs {@code compute} over copies {@code [0, total)} in batches of at most {@code batch} (of at
     * most {@code perThread} when the threads each take batches), and
     * {@code consume} on each result in order. The arrays a batch's computation takes from the
     * recycling pool are taken back once its result is consumed. An exception from either stops the
     * run and is rethrown. Unless {@code threadSafe} (compute may run on two threads at once), the
     * batches run one at a time.
     */
    public static void run(int total, int batch, int perThread, boolean threadSafe, Compute compute, Consume consume) {
        int threads = Parallel.threads();
        if (!ENABLED || !threadSafe || threads < 2 || Parallel.insideSection() || total <= Math.min(batch, perThread)) {
            try (Buffers.Scope scope = Buffers.recycling()) {
                for (int s0 = 0; s0 < total; s0 += batch) {
                    int s1 = Math.min(total, s0 + batch);
                    consume.accept(s0, s1, compute.run(s0, s1));
                    scope.releaseAll();
                }
            }
            return;
        }
        int[] starts = starts(total, batch, perThread, threads);
        int batches = starts.length - 1;
        Turns turns = new Turns();
        // One batch per chunk, claimed in order: the lowest batch not yet consumed is always being
        // computed by a thread that waits on nothing, so the turns cannot deadlock.
        Parallel.forRange(batches, 1, batches, (from, to) -> {
            for (int b = from; b < to; b++) {
                try (Buffers.Scope scope = Buffers.recycling()) {
                    Tensor result = compute.run(starts[b], starts[b + 1]);
                    if (!turns.await(b)) {
                        return;
                    }
                    consume.accept(starts[b], starts[b + 1], result);
                    turns.pass();
                    scope.releaseAll();
                } catch (RuntimeException | Error e) {
                    turns.fail();
                    throw e;
                }
            }
        });
    }

    /**
     * Where the per-thread batches start, and {@code total} last: as even as can be, at most
     * {@code min(ceil(batch / threads), perThread)} copies each, and a multiple of the threads
     * in number unless there are fewer copies.
     */
    static int[] starts(int total, int batch, int perThread, int threads) {
        int per = Math.max(1, Math.min(perThread, (batch + threads - 1) / threads));
        int batches = (total + per - 1) / per;
        batches = Math.min(total, (batches + threads - 1) / threads * threads);
        int[] starts = new int[batches + 1];
        for (int b = 0; b <= batches; b++) {
            starts[b] = (int) ((long) total * b / batches);
        }
        return starts;
    }

    /** Whose turn it is to consume, and whether a batch failed (then nobody waits any more). */
    private static final class Turns {
        private int next;
        private boolean failed;

        synchronized boolean await(int batch) {
            while (next != batch && !failed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed = true;
                    notifyAll();
                    throw new IllegalStateException("interrupted while waiting to hand on batch " + batch, e);
                }
            }
            return !failed;
        }

        synchronized void pass() {
            next++;
            notifyAll();
        }

        synchronized void fail() {
            failed = true;
            notifyAll();
        }
    }
}
