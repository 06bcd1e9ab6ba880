package dev.loupe.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Parallel;
import dev.loupe.engine.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OrderedBatchesTest {
    private int threadsBefore;

    @BeforeEach
    void twoThreads() {
        threadsBefore = Parallel.threads();
        Parallel.setThreads(2);
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(threadsBefore);
    }

    @Test
    void startsCoverTheCopiesEvenlyInAMultipleOfTheThreads() {
        for (int total : new int[] {1, 2, 3, 7, 16, 50, 169}) {
            for (int batch : new int[] {1, 2, 5, 10, 16, 64}) {
                for (int threads : new int[] {2, 3}) {
                    int[] s = OrderedBatches.starts(total, batch, 4, threads);
                    String what = total + " copies, batch " + batch + ", " + threads + " threads";
                    assertEquals(0, s[0], what);
                    assertEquals(total, s[s.length - 1], what);
                    int most = Math.min(4, (batch + threads - 1) / threads);
                    int lo = Integer.MAX_VALUE;
                    int hi = 0;
                    for (int b = 0; b + 1 < s.length; b++) {
                        int size = s[b + 1] - s[b];
                        lo = Math.min(lo, size);
                        hi = Math.max(hi, size);
                    }
                    assertTrue(lo >= 1 && hi <= Math.max(1, most) && hi - lo <= 1, what + ": sizes " + lo + ".." + hi);
                    int batches = s.length - 1;
                    assertTrue(batches % threads == 0 || batches == total, what + ": " + batches + " batches");
                }
            }
        }
    }

    @Test
    void resultsArriveInOrderWhateverFinishesFirst() {
        List<int[]> consumed = new ArrayList<>();
        Set<String> computeThreads = ConcurrentHashMap.newKeySet();
        boolean[] serialKernels = {true};
        OrderedBatches.run(37, 8, 4, true, (from, to) -> {
            computeThreads.add(Thread.currentThread().getName());
            serialKernels[0] &= Parallel.insideSection();
            // Batches finish out of order: even ones take longer.
            LockSupport.parkNanos(from % 2 == 0 ? 3_000_000 : 100_000);
            return new Tensor(new int[] {1}, new float[] {from});
        }, (from, to, result) -> {
            assertEquals(from, (int) result.data()[0]);
            consumed.add(new int[] {from, to});
        });
        int next = 0;
        for (int[] r : consumed) {
            assertEquals(next, r[0], "batches consumed out of order");
            assertTrue(r[1] - r[0] <= 4);
            next = r[1];
        }
        assertEquals(37, next);
        assertTrue(serialKernels[0], "a thread's batch must run its kernels serially");
    }

    @Test
    void aFailureIsRethrownAndNobodyWaitsForever() {
        List<Integer> consumed = new ArrayList<>();
        IllegalStateException boom = new IllegalStateException("batch at 12 failed");
        IllegalStateException thrown = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(IllegalStateException.class,
                () -> OrderedBatches.run(40, 8, 4, true, (from, to) -> {
                    if (from == 12) {
                        throw boom;
                    }
                    return new Tensor(new int[] {1}, new float[] {from});
                }, (from, to, result) -> consumed.add(from))));
        assertSame(boom, thrown);
        for (int from : consumed) {
            assertTrue(from < 12, "batch at " + from + " consumed after the failure");
        }
    }

    @Test
    void notThreadSafeRunsTheCallersBatchesOnTheCallingThread() {
        Thread caller = Thread.currentThread();
        List<Integer> sizes = new ArrayList<>();
        OrderedBatches.run(23, 10, 4, false, (from, to) -> {
            assertSame(caller, Thread.currentThread());
            return new Tensor(new int[] {1}, new float[] {to - from});
        }, (from, to, result) -> sizes.add(to - from));
        assertEquals(List.of(10, 10, 3), sizes);
    }
}
