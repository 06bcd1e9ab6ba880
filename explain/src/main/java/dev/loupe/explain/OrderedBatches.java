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
 * whatever the thread count. A thread that finishes a batch before its turn leaves a copy of the
 * result and goes on, so batches of unequal cost (occlusion windows at the border and inside)
 * do not hold a thread up.
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
        Parallel.forRange(batches, 1, batches, (from, to) -> {
            for (int b = from; b < to && !turns.failed(); b++) {
                try (Buffers.Scope scope = Buffers.recycling()) {
                    Tensor result = compute.run(starts[b], starts[b + 1]);
                    // Not yet this batch's turn: a copy waits, since this thread's pool takes the
                    // result back below, and the thread goes on to its next batch.
                    int ready = turns.handIn(b, result);
                    while (ready >= 0) {
                        consume.accept(starts[ready], starts[ready + 1], ready == b ? result : turns.take(ready));
                        ready = turns.consumed(ready);
                    }
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

    /**
     * Which batch is due next and the finished batches waiting for their turn. Whoever hands in the
     * batch that is due consumes it, then every waiting batch that has become due, so batches are
     * consumed one at a time and in order, and no thread waits for another.
     */
    private static final class Turns {
        private final java.util.Map<Integer, Tensor> waiting = new java.util.HashMap<>();
        private int next;
        private volatile boolean failed;

        /** Batch b is computed: b when it is due (the caller consumes it), else -1 and a copy waits. */
        synchronized int handIn(int b, Tensor result) {
            if (failed) {
                return -1;
            }
            if (b == next) {
                return b;
            }
            waiting.put(b, result.copy());
            return -1;
        }

        synchronized Tensor take(int b) {
            return waiting.remove(b);
        }

        /** Batch b is consumed: the next batch when it is waiting (the caller consumes it too), else -1. */
        synchronized int consumed(int b) {
            next = b + 1;
            return !failed && waiting.containsKey(next) ? next : -1;
        }

        boolean failed() {
            return failed;
        }

        synchronized void fail() {
            failed = true;
            waiting.clear();
        }
    }
}
