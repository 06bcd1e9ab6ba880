package dev.loupe.engine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The engine's thread pool. Kernels split their outer loops with {@link #forRange}; nested calls
 * from inside the pool run inline so parallel kernels never wait on themselves.
 *
 * <p>The thread count defaults to the available processors and can be set with the system
 * property {@code loupe.threads} or {@link #setThreads}.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(Integer.getInteger("loupe.threads",
            Runtime.getRuntime().availableProcessors()));

    private Parallel() {
    }

    /** Numbers worker threads: a worker's pool index is only assigned after the factory returns. */
    private static final java.util.concurrent.atomic.AtomicInteger WORKERS = new java.util.concurrent.atomic.AtomicInteger();

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(Math.max(1, threads), p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("loupe-" + WORKERS.getAndIncrement());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    public static int threads() {
        return pool.getParallelism();
    }

    public static synchronized void setThreads(int threads) {
        if (threads != threads()) {
            ForkJoinPool old = pool;
            pool = newPool(threads);
            old.shutdown();
        }
    }

    /** The functional body of a range loop: handles {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous chunks of at least {@code grain}
     * items, in parallel when that pays.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        int threads = threads();
        if (n <= 0) {
            return;
        }
        if (threads == 1 || n <= grain || ForkJoinTask.inForkJoinPool()) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(threads * 4, (n + grain - 1) / grain);
        pool.invoke(new Chunk(body, n, chunks, 0, chunks));
    }

    /** Runs {@code body(i)} for every i in {@code [0, n)}, in parallel when n > 1. */
    public static void forEach(int n, IntConsumer body) {
        forRange(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        });
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int n;
        private final int chunks;
        private final int lo;
        private final int hi;

        Chunk(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int from = (int) ((long) n * lo / chunks);
                int to = (int) ((long) n * hi / chunks);
                body.run(from, to);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunk(body, n, chunks, lo, mid), new Chunk(body, n, chunks, mid, hi));
        }
    }
}
