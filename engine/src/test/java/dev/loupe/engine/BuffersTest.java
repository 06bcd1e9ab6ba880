package dev.loupe.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BuffersTest {
    private static final int N = Buffers.MIN_POOLED * 3;

    @Test
    void outsideAScopeEveryArrayIsNew() {
        float[] a = Buffers.zeroed(N);
        Buffers.release(a);
        assertNotSame(a, Buffers.zeroed(N));
    }

    @Test
    void aReleasedArrayIsHandedOutAgainAndZeroedWhenAskedTo() {
        try (Buffers.Scope s = Buffers.recycling()) {
            float[] a = Buffers.output(N);
            java.util.Arrays.fill(a, 7f);
            Buffers.release(a);
            float[] b = Buffers.zeroed(N);
            assertSame(a, b);
            for (float v : b) {
                assertEquals(0f, v);
            }
            assertNotSame(b, Buffers.zeroed(N), "an array still out must not be handed out twice");
        }
    }

    @Test
    void arraysThePoolDidNotHandOutAreNeverTaken() {
        try (Buffers.Scope s = Buffers.recycling()) {
            float[] foreign = new float[N];
            Buffers.release(foreign);
            assertNotSame(foreign, Buffers.output(N));
        }
    }

    @Test
    void nestedScopesShareThePoolAndTheOuterCloseForgetsWhatIsOut() {
        float[] escaped;
        try (Buffers.Scope outer = Buffers.recycling()) {
            try (Buffers.Scope inner = Buffers.recycling()) {
                escaped = Buffers.output(N + 1);
            }
            // Still inside the outer scope: the array is known and may come back.
            Buffers.release(escaped);
            assertSame(escaped, Buffers.output(N + 1));
        }
        try (Buffers.Scope again = Buffers.recycling()) {
            // After the outer close it belongs to its caller: releasing it does nothing.
            Buffers.release(escaped);
            assertNotSame(escaped, Buffers.output(N + 1));
        }
    }

    @Test
    void smallArraysAreNotPooled() {
        try (Buffers.Scope s = Buffers.recycling()) {
            float[] a = Buffers.output(16);
            Buffers.release(a);
            assertNotSame(a, Buffers.output(16));
        }
    }

    @Test
    void releaseAllTakesBackOnlyWhatTheScopeHandedOut() {
        try (Buffers.Scope outer = Buffers.recycling()) {
            float[] before = Buffers.output(N + 2);
            try (Buffers.Scope loop = Buffers.recycling()) {
                float[] a = Buffers.output(N + 2);
                loop.releaseAll();
                float[] b = Buffers.output(N + 2);
                assertSame(a, b);
                loop.releaseAll();
            }
            float[] c = Buffers.output(N + 2);
            float[] d = Buffers.output(N + 2);
            assertNotSame(before, c, "an array handed out before the loop's scope was taken back");
            assertNotSame(before, d, "an array handed out before the loop's scope was taken back");
        }
    }

    /**
     * Max pooling's switches are ints that live as long as the pooled output: pooled apart from
     * floats, taken back exactly when their owner is, and never pooled for an owner the pool did
     * not hand out (a trace made before the scope).
     */
    @Test
    void intArraysLiveAsLongAsTheirOwner() {
        try (Buffers.Scope outer = Buffers.recycling()) {
            float[] owner = Buffers.output(N);
            int[] switches;
            try (Buffers.Scope inner = Buffers.recycling()) {
                switches = Buffers.outputIntsFor(owner, N);
                inner.releaseAll();
                assertNotSame(switches, Buffers.outputIntsFor(owner, N), "taken back while its owner is still out");
            }
            outer.releaseAll();
            float[] next = Buffers.output(N);
            assertSame(owner, next);
            int[] again = Buffers.outputIntsFor(next, N);
            int[] other = Buffers.outputIntsFor(next, N);
            assertTrue(again == switches || other == switches, "taken back with its owner");
            // A length nothing else uses: only this array could come back.
            int[] plain = Buffers.outputIntsFor(new float[N + 5], N + 5);
            outer.releaseAll();
            assertNotSame(plain, Buffers.outputIntsFor(Buffers.output(N + 5), N + 5), "an array for a foreign owner was pooled");
        }
    }

    /** The model below has a max pool with 8192 switches, so its int array is recycled between passes too. */
    @Test
    void gradientsInARecyclingLoopEqualFreshOnes() {
        Graph g = new dev.loupe.engine.train.ModelBuilder(1, 32, 32, 11).normalize(0.5f, 0.25f).conv(8, 3, 1).relu()
                .maxPool(2).flatten().dense(4).build();
        String in = g.inputs().get(0).name();
        String out = g.outputs().get(0).name();
        java.util.Random r = new java.util.Random(12);
        Tensor[] xs = new Tensor[3];
        float[][] fresh = new float[3][];
        for (int i = 0; i < 3; i++) {
            xs[i] = Tensor.zeros(4, 1, 32, 32);
            for (int j = 0; j < xs[i].size(); j++) {
                xs[i].data()[j] = r.nextFloat();
            }
            fresh[i] = Executor.forward(g, xs[i]).gradientOfClass(out, new int[] {0, 1, 2, 3}, in).data().clone();
        }
        try (Buffers.Scope loop = Buffers.recycling()) {
            for (int rep = 0; rep < 2; rep++) {
                for (int i = 0; i < 3; i++) {
                    Tensor grad = Executor.forward(g, xs[i]).gradientOfClass(out, new int[] {0, 1, 2, 3}, in);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(fresh[i], grad.data(), "input " + i + ", round " + rep);
                    loop.releaseAll();
                }
            }
            org.junit.jupiter.api.Assertions.assertTrue(Buffers.pooledBytes() > 0);
        }
    }

    @Test
    void aFullPoolStartsOverInsteadOfRefusingNewSizes() throws Exception {
        // A pool is made per thread, reading its cap then: a new thread with a 1 MiB cap.
        float[][] seen = new float[4][];
        Thread t = new Thread(() -> {
            try (Buffers.Scope s = Buffers.recycling()) {
                float[] a1 = Buffers.output(100_000);
                float[] a2 = Buffers.output(100_000);
                Buffers.release(a1);
                Buffers.release(a2);
                float[] b = Buffers.output(150_000);
                Buffers.release(b);
                seen[0] = b;
                seen[1] = Buffers.output(150_000);
                seen[2] = a1;
                seen[3] = Buffers.output(100_000);
            }
        });
        String old = System.getProperty("loupe.buffers.max-mb");
        System.setProperty("loupe.buffers.max-mb", "1");
        try {
            t.start();
            t.join();
        } finally {
            if (old == null) {
                System.clearProperty("loupe.buffers.max-mb");
            } else {
                System.setProperty("loupe.buffers.max-mb", old);
            }
        }
        assertSame(seen[0], seen[1], "the newest size should have been kept");
        assertNotSame(seen[2], seen[3], "the older size should have been dropped to make room");
    }

    @Test
    void aSharedPoolServesTheThreadsItIsOpenOnAndTakesBackWhatAnyOfThemGives() throws Exception {
        Buffers.Shared shared = new Buffers.Shared();
        float[][] made = new float[1][];
        Thread worker = new Thread(() -> {
            try (Buffers.Shared.Use use = shared.open()) {
                made[0] = Buffers.output(N);
            }
        });
        worker.start();
        worker.join();
        // Made on the worker, given back here: the next taker on any thread gets it again.
        shared.give(made[0]);
        try (Buffers.Shared.Use use = shared.open()) {
            assertSame(made[0], Buffers.output(N));
            float[] z = Buffers.zeroed(N);
            assertNotSame(made[0], z, "an array still out must not be handed out twice");
            z[5] = 3f;
            Buffers.release(z);
            assertSame(z, Buffers.zeroed(N));
            assertEquals(0f, z[5]);
        }
        // Closed: this thread is back to plain allocation.
        float[] plain = Buffers.output(N);
        shared.give(plain);
        try (Buffers.Shared.Use use = shared.open()) {
            assertNotSame(plain, Buffers.output(N), "arrays the shared pool did not hand out are never taken");
        }
    }

    @Test
    void reclaimAllTakesBackEverythingStillOut() {
        Buffers.Shared shared = new Buffers.Shared();
        float[] a;
        float[] b;
        try (Buffers.Shared.Use use = shared.open()) {
            a = Buffers.output(N);
            b = Buffers.output(N);
        }
        shared.reclaimAll();
        try (Buffers.Shared.Use use = shared.open()) {
            java.util.Set<float[]> again = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            again.add(Buffers.output(N));
            again.add(Buffers.output(N));
            assertEquals(java.util.Set.of(a, b).size(), again.size());
            org.junit.jupiter.api.Assertions.assertTrue(again.contains(a) && again.contains(b));
        }
    }

    @Test
    void aSharedPoolTakesPrecedenceOverTheThreadsScopeAndRestoresIt() {
        Buffers.Shared shared = new Buffers.Shared();
        try (Buffers.Scope s = Buffers.recycling()) {
            float[] fromScope = Buffers.output(N);
            float[] fromShared;
            try (Buffers.Shared.Use use = shared.open()) {
                fromShared = Buffers.output(N);
                // The scope's array is not the shared pool's to take.
                Buffers.release(fromScope);
            }
            shared.give(fromShared);
            Buffers.release(fromScope);
            assertSame(fromScope, Buffers.output(N), "after closing, the scope's pool is used again");
        }
    }
}
