package dev.loupe.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private final int before = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(before);
    }

    @Test
    void everyIndexRunsExactlyOnceOnSeveralThreads() {
        Parallel.setThreads(3);
        for (int n : new int[] {1, 2, 7, 100, 12_345}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            for (int rep = 0; rep < 50; rep++) {
                Parallel.forRange(n, 1, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
            }
            for (int i = 0; i < n; i++) {
                assertEquals(50, hits.get(i), "index " + i + " of " + n);
            }
        }
    }

    /**
     * Seven grains on two threads make eight chunks, not seven (which would leave one thread a
     * whole chunk behind), still covering every index once; three grains on three threads stay three.
     */
    @Test
    void chunkCountsRoundUpToAMultipleOfTheThreads() {
        Parallel.setThreads(2);
        int grain = 100;
        int n = 7 * grain;
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        java.util.concurrent.atomic.AtomicInteger chunks = new java.util.concurrent.atomic.AtomicInteger();
        Parallel.forRange(n, grain, (from, to) -> {
            chunks.incrementAndGet();
            for (int i = from; i < to; i++) {
                hits.incrementAndGet(i);
            }
        });
        assertEquals(8, chunks.get());
        for (int i = 0; i < n; i++) {
            assertEquals(1, hits.get(i), "index " + i);
        }
        Parallel.setThreads(3);
        chunks.set(0);
        Parallel.forRange(3 * grain, grain, (from, to) -> chunks.incrementAndGet());
        assertEquals(3, chunks.get());
    }

    /** Asking for one chunk per item: every item runs once, each range is a single item. */
    @Test
    void finerChunksStillRunEveryIndexOnce() {
        Parallel.setThreads(2);
        int n = 36;
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        AtomicIntegerArray widths = new AtomicIntegerArray(n + 1);
        for (int rep = 0; rep < 50; rep++) {
            Parallel.forRange(n, 1, n, (from, to) -> {
                widths.incrementAndGet(to - from);
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
        }
        for (int i = 0; i < n; i++) {
            assertEquals(50, hits.get(i), "index " + i);
        }
        assertEquals(50 * n, widths.get(1), "every chunk holds one item");
    }

    @Test
    void nestedSectionsRunInlineOnTheChunksThread() {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
        Parallel.forRange(64, 1, (from, to) -> {
            assertTrue(Parallel.insideSection());
            Thread outer = Thread.currentThread();
            for (int i = from; i < to; i++) {
                int row = i;
                Parallel.forRange(64, 1, (f, t) -> {
                    assertSame(outer, Thread.currentThread(), "a nested section must not hop threads");
                    for (int j = f; j < t; j++) {
                        hits.incrementAndGet(row * 64 + j);
                    }
                });
            }
        });
        assertFalse(Parallel.insideSection());
        for (int i = 0; i < hits.length(); i++) {
            assertEquals(1, hits.get(i));
        }
    }

    @Test
    void aFailingChunkIsRethrownAndThePoolStillWorks() {
        Parallel.setThreads(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(100, 1, (from, to) -> {
            if (from <= 50 && 50 < to) {
                throw new IllegalStateException("chunk with 50");
            }
        }));
        assertEquals("chunk with 50", e.getMessage());
        AtomicIntegerArray hits = new AtomicIntegerArray(100);
        Parallel.forRange(100, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < 100; i++) {
            assertEquals(1, hits.get(i));
        }
    }

    /** Callers on several threads at once: one uses the workers, the others run inline; all finish correctly. */
    @Test
    void concurrentCallersAllComplete() throws Exception {
        Parallel.setThreads(2);
        int callers = 4;
        long[][] sums = new long[callers][200];
        List<Thread> ts = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                for (int rep = 0; rep < 200; rep++) {
                    long[] part = new long[1000];
                    Parallel.forRange(1000, 10, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            part[i] = i;
                        }
                    });
                    long s = 0;
                    for (long v : part) {
                        s += v;
                    }
                    sums[id][rep] = s;
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join(60_000);
        }
        for (long[] row : sums) {
            for (long s : row) {
                assertEquals(999L * 1000 / 2, s);
            }
        }
    }
}
