package dev.loupe.engine.kernels;

/**
 * Per-thread reusable float buffers for kernel temporaries such as im2col columns. Allocating a
 * fresh multi-megabyte array per convolution costs as much as a third of the GEMM (page faults on
 * cold memory), so each thread keeps one buffer. {@link #take} hands the buffer out exclusively
 * (a nested take on the same thread gets a fresh array), {@link #give} returns it.
 */
public final class Scratch {
    /** Larger buffers are not kept, bounding what idle threads hold (16 MiB each). */
    static final int MAX_KEPT = 4 << 20;

    private static final ThreadLocal<float[][]> SLOT = ThreadLocal.withInitial(() -> new float[1][]);

    private Scratch() {
    }

    /** A buffer of at least {@code n} floats with undefined contents; the caller must overwrite what it reads. */
    public static float[] take(int n) {
        float[][] slot = SLOT.get();
        float[] a = slot[0];
        if (a != null && a.length >= n) {
            slot[0] = null;
            return a;
        }
        return new float[n];
    }

    /** Returns a buffer obtained from {@link #take} on this thread; it must not be used afterwards. */
    public static void give(float[] a) {
        if (a == null || a.length > MAX_KEPT) {
            return;
        }
        float[][] slot = SLOT.get();
        if (slot[0] == null || slot[0].length < a.length) {
            slot[0] = a;
        }
    }
}
