package dev.loupe.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The engine's threads. Kernels split their outer loops with {@link #forRange}: the calling thread
 * and {@code threads - 1} workers claim chunks of the range from a shared counter. Nested calls
 * (from inside a chunk) run inline, so parallel kernels never wait on themselves.
 *
 * <p>A forward pass is a few hundred short parallel sections. Waking a parked thread costs tens to
 * hundreds of microseconds on a virtual machine, which measured more than the work of a typical
 * section (a ForkJoinPool took a median 176 us for 92 us of work on two cores), so workers
 * spin-wait for {@code loupe.spin-us} microseconds (default 1000) after each section before they
 * park, as ONNX Runtime's do. One section runs at a time: a caller that finds the workers busy
 * with another thread's section runs its range inline.
 *
 * <p>The thread count defaults to the available processors and can be set with the system
 * property {@code loupe.threads} or {@link #setThreads}.
 */
public final class Parallel {
    private static final long SPIN_NS = Long.getLong("loupe.spin-us", 1000) * 1000L;
    private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);
    private static final boolean EVEN_CHUNKS = !"false".equals(System.getProperty("loupe.even-chunks"));
    private static final AtomicInteger WORKER_NAMES = new AtomicInteger(1);

    private static volatile Team team = new Team(Integer.getInteger("loupe.threads",
            Runtime.getRuntime().availableProcessors()));

    private Parallel() {
    }

    public static int threads() {
        return team.size;
    }

    public static synchronized void setThreads(int threads) {
        if (threads != threads()) {
            Team old = team;
            team = new Team(threads);
            old.shutdown();
        }
    }

    /**
     * Whether the current thread is running a chunk of a parallel section, where a nested
     * {@link #forRange} would run inline: kernels that would otherwise split their own work use
     * this to pick their serial form.
     */
    public static boolean insideSection() {
        return INSIDE.get()[0];
    }

    /** The functional body of a range loop: handles {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous chunks of at least {@code grain}
     * items, in parallel when that pays. An exception thrown by a chunk is rethrown here once
     * every chunk has finished (chunks not yet started are skipped).
     */
    public static void forRange(int n, int grain, RangeBody body) {
        forRange(n, grain, 4, body);
    }

    /**
     * As {@link #forRange(int, int, RangeBody)} with at most {@code chunksPerThread} chunks per
     * thread: more, smaller chunks balance items that are few and costly (Winograd's products, one
     * GEMM each) at the price of a counter increment per chunk.
     */
    public static void forRange(int n, int grain, int chunksPerThread, RangeBody body) {
        if (n <= 0) {
            return;
        }
        Team t = team;
        boolean[] inside = INSIDE.get();
        if (t.size == 1 || n <= grain || inside[0] || !t.lock.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            int chunks = Math.min(t.size * Math.max(1, chunksPerThread), (n + grain - 1) / grain);
            if (EVEN_CHUNKS && chunks > t.size && chunks % t.size != 0) {
                // Seven equal chunks on two threads take four chunks' time, an eighth more than
                // three and a half: round up to a multiple of the threads, chunks a little under grain.
                chunks = Math.min(n, (chunks / t.size + 1) * t.size);
            }
            Section s = new Section(body, n, chunks);
            t.start(s);
            inside[0] = true;
            try {
                s.work();
            } finally {
                inside[0] = false;
            }
            s.awaitAll();
            t.current = null;
            s.rethrow();
        } finally {
            t.lock.unlock();
        }
    }

    /** Runs {@code body(i)} for every i in {@code [0, n)}, in parallel when n > 1. */
    public static void forEach(int n, IntConsumer body) {
        forRange(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        });
    }

    /** One parallel section: chunks claimed from a counter by whoever is free. */
    private static final class Section {
        private final RangeBody body;
        private final int n;
        private final int chunks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private volatile Throwable error;

        Section(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
        }

        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    if (error == null) {
                        body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                    }
                } catch (Throwable e) {
                    synchronized (this) {
                        if (error == null) {
                            error = e;
                        }
                    }
                } finally {
                    finished.incrementAndGet();
                }
            }
        }

        void awaitAll() {
            for (int spins = 0; finished.get() < chunks; spins++) {
                if (spins < 1 << 16) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        void rethrow() {
            Throwable e = error;
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The workers of one thread count. */
    private static final class Team {
        final int size;
        final ReentrantLock lock = new ReentrantLock();
        final Worker[] workers;
        volatile Section current;
        volatile boolean stopped;

        Team(int size) {
            this.size = Math.max(1, size);
            this.workers = new Worker[this.size - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this);
                workers[i].start();
            }
        }

        void start(Section s) {
            current = s;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }

    private static final class Worker extends Thread {
        private final Team team;
        volatile boolean parked;

        Worker(Team team) {
            super("loupe-" + WORKER_NAMES.getAndIncrement());
            this.team = team;
            setDaemon(true);
        }

        @Override
        public void run() {
            boolean[] inside = INSIDE.get();
            Section done = null;
            long idleSince = System.nanoTime();
            while (!team.stopped) {
                Section s = team.current;
                if (s != null && s != done) {
                    done = s;
                    inside[0] = true;
                    try {
                        s.work();
                    } finally {
                        inside[0] = false;
                    }
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // Checked again after announcing the park, so a section started meanwhile is
                    // either seen here or its starter sees parked and unparks this thread.
                    Section again = team.current;
                    if ((again == null || again == done) && !team.stopped) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
