package dev.loupe.engine;

import dev.loupe.engine.kernels.Gemm;
import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Activation arrays recycled from one pass to the next. A fresh multi-megabyte {@code float[]}
 * costs the JVM a zeroing pass over cold memory (0.3-1 ms for 3 MB on the development VM, against
 * 0.05 ms to refill one that is still in cache), on the calling thread while the other workers wait;
 * a batch-1 ResNet-18 forward makes 23 MB of them.
 *
 * <p>Ops ask for their outputs with {@link #output} (every element will be written) or
 * {@link #zeroed}. Outside a {@link #recycling} scope both are plain {@code new float[n]}. Inside
 * one, they come from this thread's pool, and whoever knows an array is dead (the executor, after
 * a tensor's last use) gives it back with {@link #release}. Only arrays the open pool handed out
 * are taken back, so a constant, an input or an op's private array can never be recycled by
 * mistake.
 *
 * <p>The pool belongs to the thread and outlives the scope, softly referenced and capped at an
 * eighth of the heap ({@code -Dloupe.buffers.max-mb} sets another cap), so that repeated passes
 * (batches of perturbations, dataset runs) reuse the same arrays.
 */
public final class Buffers {
    /** Smaller arrays are cheap to allocate and are not pooled. */
    static final int MIN_POOLED = 1 << 12;

    /** Test aid: recycled arrays handed out by {@link #output} are filled with NaN first. */
    private static final boolean POISON = Boolean.getBoolean("loupe.buffers.poison");

    /** {@code -Dloupe.buffers=false} turns recycling off (every array is new), for comparison. */
    private static final boolean ENABLED = !"false".equals(System.getProperty("loupe.buffers"));

    private static final ThreadLocal<SoftReference<Pool>> POOLS = new ThreadLocal<>();
    private static final ThreadLocal<Pool> OPEN = new ThreadLocal<>();
    /** A shared pool opened on this thread ({@link Shared#open}); it takes precedence over {@link #OPEN}. */
    private static final ThreadLocal<Shared> SHARED = new ThreadLocal<>();

    private Buffers() {
    }

    /**
     * An array of {@code n} floats for an op's output; the caller writes every element (contents
     * are undefined when recycled).
     */
    public static float[] output(int n) {
        Shared s = SHARED.get();
        if (s != null && n >= MIN_POOLED) {
            return s.take(n, false);
        }
        Pool p = OPEN.get();
        return p == null || n < MIN_POOLED ? new float[n] : p.take(n, false);
    }

    /**
     * An array of {@code n} ints that lives as long as {@code owner}, such as max pooling's switches
     * for its output; the caller writes every element. When the open pool handed out owner, the
     * array comes from the pool too and counts as handed out with owner, so {@link Scope#releaseAll}
     * takes it back exactly when it takes owner back: a trace made before a scope opened keeps
     * switches computed inside it. Otherwise it is a plain {@code new int[n]}. An 8 MB switch array
     * per pass at ten images was the largest allocation left in a gradient pass, and as a humongous
     * object it set off G1 collections.
     */
    public static int[] outputIntsFor(float[] owner, int n) {
        Pool p = OPEN.get();
        Long issued = p == null || SHARED.get() != null || n < MIN_POOLED ? null : p.issued.get(owner);
        return issued == null ? new int[n] : p.takeInts(n, issued);
    }

    /** An array of {@code n} zeros, recycled inside a {@link #recycling} scope. */
    public static float[] zeroed(int n) {
        Shared s = SHARED.get();
        if (s != null && n >= MIN_POOLED) {
            return s.take(n, true);
        }
        Pool p = OPEN.get();
        return p == null || n < MIN_POOLED ? new float[n] : p.take(n, true);
    }

    /**
     * Gives back an array that nothing references any more. Ignored unless the open pool of this
     * thread handed it out. Packed or derived copies cached for it (see
     * {@link Gemm#forgetPacked}) are dropped, since its next owner fills it with other values.
     */
    public static void release(float[] a) {
        Shared s = SHARED.get();
        if (s != null) {
            s.give(a);
            return;
        }
        Pool p = OPEN.get();
        if (p != null && a != null) {
            p.give(a);
        }
    }

    /**
     * Opens a recycling scope on this thread; nested scopes share the outer one. Close it on the
     * same thread (try-with-resources).
     */
    public static Scope recycling() {
        Pool p = OPEN.get();
        if (p == null && !ENABLED) {
            return new Scope(null, 0);
        }
        if (p == null) {
            SoftReference<Pool> ref = POOLS.get();
            p = ref == null ? null : ref.get();
            if (p == null) {
                long max = Long.getLong("loupe.buffers.max-mb", Runtime.getRuntime().maxMemory() / 8 >> 20);
                p = new Pool(max << 20);
                POOLS.set(new SoftReference<>(p));
            }
            OPEN.set(p);
        }
        p.depth++;
        return new Scope(p, p.sequence);
    }

    /** Whether a recycling scope is open on this thread (else {@link #release} does nothing). */
    static boolean recyclingOpen() {
        return OPEN.get() != null;
    }

    /** Bytes held for reuse by this thread's pool (for tests and diagnostics). */
    static long pooledBytes() {
        SoftReference<Pool> ref = POOLS.get();
        Pool p = ref == null ? null : ref.get();
        return p == null ? 0 : p.freeBytes;
    }

    /** An open recycling scope; closing the outermost one forgets which arrays are still out. */
    public static final class Scope implements AutoCloseable {
        private final Pool pool;
        private long mark;
        private boolean closed;

        private Scope(Pool pool, long mark) {
            this.pool = pool;
            this.mark = mark;
        }

        /**
         * Takes back every array handed out since this scope opened (or since the last call), for
         * loops whose iterations leave nothing behind: the caller promises that no tensor made in
         * that time is used again. Arrays handed out before, to enclosing code, stay out.
         */
        public void releaseAll() {
            if (pool == null || closed) {
                return;
            }
            java.util.List<Object> dead = new java.util.ArrayList<>();
            pool.issued.forEach((a, seq) -> {
                if (seq >= mark) {
                    dead.add(a);
                }
            });
            dead.forEach(pool::give);
            mark = pool.sequence;
        }

        @Override
        public void close() {
            if (closed || pool == null) {
                return;
            }
            closed = true;
            if (--pool.depth == 0) {
                // Arrays still out escaped to callers (wanted outputs): they are theirs now.
                pool.issued.clear();
                OPEN.remove();
            }
        }
    }

    /**
     * A pool that several threads take from and give back to at once, for work whose arrays are
     * made on one worker and die on another (the copies of a batch computed in parallel). While it
     * is {@link #open} on a thread, {@link Buffers#output}, {@link Buffers#zeroed} and
     * {@link Buffers#release} on that thread use it. Arrays are reused by exact length; whatever is
     * still out can be taken back in one step with {@link #reclaimAll}. It holds what its owner's
     * largest step needed and is dropped with its owner.
     */
    public static final class Shared {
        private final java.util.concurrent.ConcurrentHashMap<Integer, java.util.concurrent.ConcurrentLinkedDeque<float[]>> free =
                new java.util.concurrent.ConcurrentHashMap<>();
        /** Arrays out (arrays hash by identity). */
        private final java.util.Set<float[]> out = java.util.concurrent.ConcurrentHashMap.newKeySet();

        /** Makes this pool the current thread's until the returned handle is closed (try-with-resources). */
        public Use open() {
            if (!ENABLED) {
                return () -> { };
            }
            Shared before = SHARED.get();
            SHARED.set(this);
            return () -> {
                if (before == null) {
                    SHARED.remove();
                } else {
                    SHARED.set(before);
                }
            };
        }

        /** An array of n floats (zeros when zero, else undefined contents); recorded as out. */
        public float[] take(int n, boolean zero) {
            java.util.concurrent.ConcurrentLinkedDeque<float[]> q = free.get(n);
            float[] a = q == null ? null : q.pollFirst();
            if (a == null) {
                a = new float[n];
            } else if (zero) {
                java.util.Arrays.fill(a, 0f);
            } else if (POISON) {
                java.util.Arrays.fill(a, Float.NaN);
            }
            out.add(a);
            return a;
        }

        /** Takes back an array this pool handed out (others are ignored): nothing may use it any more. */
        public void give(float[] a) {
            if (a == null || !out.remove(a)) {
                return;
            }
            Gemm.forgetPacked(a);
            free.computeIfAbsent(a.length, k -> new java.util.concurrent.ConcurrentLinkedDeque<>()).addFirst(a);
        }

        /** Takes back every array still out: the caller promises none of them is used again. */
        public void reclaimAll() {
            for (float[] a : out.toArray(new float[0][])) {
                give(a);
            }
        }

        /** Closing restores the thread's previous pool; it throws nothing. */
        public interface Use extends AutoCloseable {
            @Override
            void close();
        }
    }

    private static final class Pool {
        final long capBytes;
        final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
        final Map<Integer, ArrayDeque<int[]>> freeInts = new HashMap<>();
        /** Arrays out, with the order in which they went out (for {@link Scope#releaseAll}). */
        final Map<Object, Long> issued = new IdentityHashMap<>();
        long sequence;
        long freeBytes;
        int depth;

        Pool(long capBytes) {
            this.capBytes = capBytes;
        }

        float[] take(int n, boolean zero) {
            ArrayDeque<float[]> q = free.get(n);
            float[] a = q == null ? null : q.poll();
            if (a == null) {
                a = new float[n];
            } else {
                freeBytes -= 4L * n;
                if (zero) {
                    java.util.Arrays.fill(a, 0f);
                } else if (POISON) {
                    java.util.Arrays.fill(a, Float.NaN);
                }
            }
            issued.put(a, sequence++);
            return a;
        }

        /** An int array recorded as handed out at {@code sequence} (its owner's turn). */
        int[] takeInts(int n, long sequence) {
            ArrayDeque<int[]> q = freeInts.get(n);
            int[] a = q == null ? null : q.poll();
            if (a == null) {
                a = new int[n];
            } else {
                freeBytes -= 4L * n;
                if (POISON) {
                    // Far outside any array: an index left unwritten fails loudly.
                    java.util.Arrays.fill(a, Integer.MIN_VALUE);
                }
            }
            issued.put(a, sequence);
            return a;
        }

        /** Takes back a float[] or int[] this pool handed out; others are ignored. */
        void give(Object a) {
            if (issued.remove(a) == null) {
                return;
            }
            int length = a instanceof float[] f ? f.length : ((int[]) a).length;
            if (a instanceof float[] f) {
                Gemm.forgetPacked(f);
            }
            long bytes = 4L * length;
            if (bytes > capBytes) {
                return;
            }
            if (freeBytes + bytes > capBytes) {
                // Full, most likely of sizes an earlier workload used (another model or image
                // size): start over rather than refuse every array from now on.
                free.clear();
                freeInts.clear();
                freeBytes = 0;
            }
            if (a instanceof float[] f) {
                free.computeIfAbsent(length, k -> new ArrayDeque<>()).push(f);
            } else {
                freeInts.computeIfAbsent(length, k -> new ArrayDeque<>()).push((int[]) a);
            }
            freeBytes += bytes;
        }
    }
}
