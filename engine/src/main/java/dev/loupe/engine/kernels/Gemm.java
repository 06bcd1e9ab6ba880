package dev.loupe.engine.kernels;

import dev.loupe.engine.Parallel;

/**
 * Single-precision matrix multiply on row-major arrays, {@code C = alpha * op(A) * op(B) + beta * C}.
 *
 * <p>Plain Java tuned for C2's auto-vectoriser: the innermost loop runs along a row of B and C
 * (unit stride), four rows of B at a time so each load/store of C carries four multiply-adds.
 * Work is cut into row x column tiles processed in parallel, and each tile walks K in blocks so the
 * block of B it streams stays in cache. When the Vector API is available, large products go to
 * {@link SimdGemm} instead; this plain path is the fallback.
 */
public final class Gemm {
    /** Columns per tile: one C row segment (1 KiB) stays in L1. */
    static final int NB = 256;
    /** Depth per block: a KB x NB slab of B (128 KiB) stays in L2 while a tile's rows reuse it. */
    static final int KB = 128;
    /** Rows per tile. */
    static final int MB = 32;
    /** Below this many multiply-adds a GEMM runs on the calling thread. */
    static final long PARALLEL_WORK = 1L << 16;

    /**
     * Whether the Vector API kernel is in use: {@code jdk.incubator.vector} must be in the boot
     * layer ({@code --add-modules jdk.incubator.vector}, which the launcher passes) and the system
     * property {@code loupe.simd} not {@code false}.
     */
    public static final boolean SIMD = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("loupe.simd"));

    /**
     * Whether the kernels that split rows by stride (max pooling's rows and switches, Winograd
     * F(4x4)'s phases, the strided 1x1's gather) use the Vector API's two-vector shuffles. Those
     * run as compiled shuffles on JDK 25 but measured slower than the plain loops on JDK 17: a
     * 64-plane 112x112 max pool took 1.6 against 1.2 ms forward and 3.3 against 2.7 ms for its
     * switches, and Winograd's phase split 1.2 against 0.3 ms per image, where JDK 25 gives 1.0
     * against 1.0, 1.1 against 2.7 and 0.13 against 0.17. JDKs in between were not measured and
     * keep the loops. {@code -Dloupe.simd.shuffles=true|false} decides instead (the tests turn
     * them on, so they are checked on JDK 17 too).
     */
    public static final boolean SHUFFLES = SIMD && shuffles();

    private static boolean shuffles() {
        String p = System.getProperty("loupe.simd.shuffles");
        return p == null ? Runtime.version().feature() >= 25 : Boolean.parseBoolean(p);
    }

    /** Below this many multiply-adds the packing of the Vector API kernel does not pay. */
    static final long SIMD_WORK = 1L << 12;

    private Gemm() {
    }

    /**
     * {@code C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C}, where {@code op(X)} is X or its
     * transpose. Matrices are row-major at the given offsets with leading dimensions (row strides)
     * {@code lda}, {@code ldb}, {@code ldc}; with {@code transA} the stored A is k x m, with
     * {@code transB} the stored B is n x k. When {@code beta == 0} C's old contents are ignored (NaN
     * included). A and B not modified; C modified (only its m x n window). Parallel when large.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float beta, float[] c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, false);
    }

    /**
     * As {@link #sgemm}, for an A whose contents never change while the array lives (a layer's
     * weights): the fast kernel packs it once and reuses the packed copy on every later call.
     */
    public static void sgemmConstantA(boolean transA, boolean transB, int m, int n, int k, float alpha,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float beta, float[] c, int cOff, int ldc) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, true);
    }

    /**
     * Drops the packed copies of {@code a} made by {@link #sgemmConstantA}. Whoever changes weights
     * in place (an optimiser step) must call this, or later products use the old values.
     */
    public static void forgetPacked(float[] a) {
        if (SIMD) {
            SimdGemm.forget(a);
        }
        DERIVED.remove(a);
    }

    /** Arrays derived from constant arrays (such as flipped weights), per source array. */
    private static final java.util.Map<float[], java.util.Map<Object, float[]>> DERIVED =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * An array computed from the constant array {@code a} (for example a convolution's weights
     * rearranged for its backward pass), made once per {@code key} and kept while {@code a} lives;
     * {@link #forgetPacked} drops it along with the packed copies. The result must not be modified.
     */
    public static float[] derivedConstant(float[] a, Object key, java.util.function.Supplier<float[]> make) {
        java.util.Map<Object, float[]> forArray = DERIVED.computeIfAbsent(a, x -> new java.util.concurrent.ConcurrentHashMap<>());
        return forArray.computeIfAbsent(key, x -> make.get());
    }

    private static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float beta, float[] c, int cOff, int ldc, boolean aConstant) {
        if (m <= 0 || n <= 0) {
            return;
        }
        boolean simd = SIMD && (long) m * n * k >= SIMD_WORK && alpha != 0f;
        // The fast kernel overwrites C on its first K slab when beta is 0, which saves a pass over C.
        if (beta != 1f && !(simd && beta == 0f)) {
            scale(m, n, beta, c, cOff, ldc);
        }
        if (k <= 0 || alpha == 0f) {
            return;
        }
        if (simd && transB && !transA && m <= SimdGemm.MR) {
            // A few rows against stored B^T (a fully connected layer at batch 1): dot products of
            // contiguous rows, no packing of the weights.
            SimdGemm.dotRows(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, beta != 0f);
        } else if (simd) {
            SimdGemm.sgemm(transA, m, n, k, alpha, a, aOff, lda, stored(transB, b, bOff, ldb), c, cOff, ldc, aConstant, beta != 0f);
        } else {
            plain(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }
    }

    /**
     * A B operand given by how to pack it rather than as a stored matrix, so that im2col can write
     * straight into the layout the kernel reads.
     */
    @FunctionalInterface
    public interface PanelSource {
        /**
         * Writes rows {@code p0 .. p0+kc} and columns {@code j0 .. j1} of B into {@code dst} as
         * panels of {@code nr} columns: panel {@code t} (columns {@code j0 + t*nr ..}) starts at
         * {@code t*nr*kc}, and within it row {@code p} at {@code p*nr}. Columns past {@code j1}
         * in the last panel are written as 0. With {@code nr = j1 - j0} this is the plain
         * row-major kc x (j1-j0) matrix. dst modified.
         */
        void pack(int p0, int kc, int j0, int j1, int nr, float[] dst);
    }

    /**
     * {@code C[m x n] = A[m x k] * B[k x n]} with B given by {@code b} and A constant (a layer's
     * weights, packed once as in {@link #sgemmConstantA}); C's old contents are ignored. A not
     * modified; C modified (its m x n window). Without the Vector API, B is materialised once
     * and the plain path runs.
     */
    public static void sgemmConstantA(int m, int n, int k, float[] a, int aOff, int lda, PanelSource b,
            float[] c, int cOff, int ldc) {
        sgemmConstantA(m, n, k, a, aOff, lda, b, c, cOff, ldc, null, 0, false);
    }

    /**
     * As {@link #sgemmConstantA(int, int, int, float[], int, int, PanelSource, float[], int, int)},
     * then {@code C[i][j] += rowBias[biasOff + i]} (when rowBias is not null) and
     * {@code C[i][j] = max(C[i][j], 0)} (when relu, NaN kept as by {@link Math#max}). With the
     * Vector API both happen as each register tile is stored, which saves a convolution's separate
     * pass over its output. rowBias not modified.
     */
    public static void sgemmConstantA(int m, int n, int k, float[] a, int aOff, int lda, PanelSource b,
            float[] c, int cOff, int ldc, float[] rowBias, int biasOff, boolean relu) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (SIMD && k > 0 && (long) m * n * k >= SIMD_WORK) {
            SimdGemm.sgemm(false, m, n, k, 1f, a, aOff, lda, b, c, cOff, ldc, true, false, rowBias, biasOff, relu);
            return;
        }
        if (k <= 0) {
            scale(m, n, 0f, c, cOff, ldc);
        } else {
            float[] col = Scratch.take(k * n);
            try {
                b.pack(0, k, 0, n, n, col);
                scale(m, n, 0f, c, cOff, ldc);
                plain(false, false, m, n, k, 1f, a, aOff, lda, col, 0, n, c, cOff, ldc);
            } finally {
                Scratch.give(col);
            }
        }
        if (rowBias != null || relu) {
            for (int i = 0; i < m; i++) {
                float bv = rowBias == null ? 0f : rowBias[biasOff + i];
                for (int j = 0, ci = cOff + i * ldc; j < n; j++, ci++) {
                    float v = c[ci] + bv;
                    c[ci] = relu ? Math.max(v, 0f) : v;
                }
            }
        }
    }

    /**
     * The {@link PanelSource} of a B stored row-major from bOff with leading dimension ldb (b not
     * modified), for {@link #sgemmConstantA(int, int, int, float[], int, int, PanelSource, float[], int, int, float[], int, boolean)}.
     */
    public static PanelSource storedB(float[] b, int bOff, int ldb) {
        if (SIMD) {
            return stored(false, b, bOff, ldb);
        }
        return (p0, kc, j0, j1, nr, dst) -> {
            for (int p = 0; p < kc; p++) {
                for (int j = j0; j < j1; j += nr) {
                    int cols = Math.min(nr, j1 - j);
                    int d = ((j - j0) / nr) * nr * kc + p * nr;
                    System.arraycopy(b, bOff + (p0 + p) * ldb + j, dst, d, cols);
                    java.util.Arrays.fill(dst, d + cols, d + nr, 0f);
                }
            }
        };
    }

    /**
     * Floats {@link #packConstant} writes for an m x k matrix: the layout the product kernel
     * reads (whole register-tile panels with the Vector API, plain rows without).
     */
    public static int packedSize(int m, int k) {
        return SIMD ? SimdGemm.packedSize(m, k) : m * k;
    }

    /**
     * Writes the m x k matrix A (row-major from aOff, lda) into dst from dstOff in the layout
     * {@link #sgemmPacked} reads, {@link #packedSize} floats. For constant operands kept only in
     * packed form (Winograd's transformed weights), so no second, unpacked copy stays in memory.
     * A not modified; dst modified.
     */
    public static void packConstant(int m, int k, float[] a, int aOff, int lda, float[] dst, int dstOff) {
        if (SIMD) {
            SimdGemm.packA(false, m, k, a, aOff, lda, dst, dstOff);
        } else {
            for (int i = 0; i < m; i++) {
                System.arraycopy(a, aOff + i * lda, dst, dstOff + i * k, k);
            }
        }
    }

    /**
     * Whether {@link #sgemmLanes} takes products of n columns: with the Vector API, for n up to
     * one vector ({@code -Dloupe.gemm.lanes}, default on).
     */
    public static boolean lanesApply(int n) {
        return SIMD && LANES && n <= SimdGemm.L;
    }

    private static final boolean LANES = !"false".equals(System.getProperty("loupe.gemm.lanes"));

    /** Floats {@link #packLanes} writes for an m x k matrix. Only when {@link #lanesApply} holds for some n. */
    public static int lanesSize(int m, int k) {
        return SimdGemm.lanesSize(m, k);
    }

    /**
     * Writes the m x k matrix A (row-major from aOff, lda) into dst from dstOff in the layout
     * {@link #sgemmLanes} reads, {@link #lanesSize} floats. A not modified; dst modified.
     */
    public static void packLanes(int m, int k, float[] a, int aOff, int lda, float[] dst, int dstOff) {
        SimdGemm.packLanes(m, k, a, aOff, lda, dst, dstOff);
    }

    /**
     * {@code C[m x n] = A[m x k] * B[k x n]} for an n where {@link #lanesApply} holds, A as
     * {@link #packLanes} wrote it from atOff and B stored (row-major from bOff, ldb); C's old
     * contents are ignored. Bit-identical to {@link #sgemmPacked} on the same A up to a depth of
     * 4096 (16 lanes) or 8192 (8 lanes), where that kernel takes the whole depth at once. Runs on
     * the calling thread. A and B not modified; C modified (its m x n window).
     */
    public static void sgemmLanes(int m, int n, int k, float[] at, int atOff, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc) {
        if (!lanesApply(n)) {
            throw new IllegalArgumentException("sgemmLanes takes 1 to " + (SIMD ? SimdGemm.L : 0) + " columns, got " + n);
        }
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            scale(m, n, 0f, c, cOff, ldc);
            return;
        }
        SimdGemm.sgemmLanes(m, n, k, at, atOff, b, bOff, ldb, c, cOff, ldc);
    }

    /**
     * {@code C[m x n] = A[m x k] * B[k x n]} with A as {@link #packConstant} wrote it from apOff and
     * B stored (row-major from bOff, ldb); C's old contents are ignored. A and B not modified; C
     * modified (its m x n window).
     */
    public static void sgemmPacked(int m, int n, int k, float[] ap, int apOff, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc) {
        sgemmPacked(m, n, k, ap, apOff, b, bOff, ldb, 0, c, cOff, ldc);
    }

    /**
     * As above, where each of B's k rows may be read up to {@code room} floats past its column n
     * (what is there is ignored): a narrow last panel is then read in place instead of copied.
     */
    public static void sgemmPacked(int m, int n, int k, float[] ap, int apOff, float[] b, int bOff, int ldb, int room,
            float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            scale(m, n, 0f, c, cOff, ldc);
            return;
        }
        if (SIMD) {
            SimdGemm.sgemmPacked(m, n, k, 1f, ap, apOff, new StoredRows(b, bOff, ldb, n, room), c, cOff, ldc, false);
        } else {
            scale(m, n, 0f, c, cOff, ldc);
            plain(false, false, m, n, k, 1f, ap, apOff, k, b, bOff, ldb, c, cOff, ldc);
        }
    }

    /**
     * A B stored row-major (n columns from bOff, leading dimension ldb) whose rows may each be read
     * {@code room} floats past column n, so that kernels can read a last panel where it lies.
     */
    record StoredRows(float[] b, int bOff, int ldb, int n, int room) implements PanelSource {
        @Override
        public void pack(int p0, int kc, int j0, int j1, int nr, float[] dst) {
            SimdGemm.packMatrix(false, b, bOff, ldb, p0, kc, j0, j1, nr, dst);
        }
    }

    /** The packer of a B (or B^T when transB) stored row-major from bOff with leading dimension ldb. */
    private static PanelSource stored(boolean transB, float[] b, int bOff, int ldb) {
        return (p0, kc, j0, j1, nr, dst) -> SimdGemm.packMatrix(transB, b, bOff, ldb, p0, kc, j0, j1, nr, dst);
    }

    /** The plain-Java path: {@code C += alpha * op(A) * op(B)}, beta already applied. C modified. */
    static void plain(boolean transA, boolean transB, int m, int n, int k, float alpha,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (transB) {
            // Packing B^T once makes the inner loop unit-stride; it costs k*n copies against m*n*k work.
            float[] packed = new float[k * n];
            transpose(n, k, b, bOff, ldb, packed);
            b = packed;
            bOff = 0;
            ldb = n;
        }
        final float[] bb = b;
        final int bo = bOff;
        final int lb = ldb;
        int rowTiles = (m + MB - 1) / MB;
        int colTiles = (n + NB - 1) / NB;
        int tiles = rowTiles * colTiles;
        long work = (long) m * n * k;
        if (work < PARALLEL_WORK || tiles == 1) {
            for (int t = 0; t < tiles; t++) {
                tile(t, rowTiles, m, n, k, alpha, transA, a, aOff, lda, bb, bo, lb, c, cOff, ldc);
            }
            return;
        }
        // Tiles sharing a column panel are adjacent, so one thread's chunk reuses the same B panel.
        Parallel.forRange(tiles, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                tile(t, rowTiles, m, n, k, alpha, transA, a, aOff, lda, bb, bo, lb, c, cOff, ldc);
            }
        });
    }

    private static void tile(int t, int rowTiles, int m, int n, int k, float alpha, boolean transA,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int i0 = (t % rowTiles) * MB;
        int i1 = Math.min(m, i0 + MB);
        int j0 = (t / rowTiles) * NB;
        int j1 = Math.min(n, j0 + NB);
        // Strides to step through A along i and along k, so one loop serves both layouts.
        int aRow = transA ? 1 : lda;
        int aCol = transA ? lda : 1;
        for (int k0 = 0; k0 < k; k0 += KB) {
            int k1 = Math.min(k, k0 + KB);
            for (int i = i0; i < i1; i++) {
                int ci = cOff + i * ldc;
                int ai = aOff + i * aRow;
                int p = k0;
                for (; p + 4 <= k1; p += 4) {
                    float a0 = alpha * a[ai + p * aCol];
                    float a1 = alpha * a[ai + (p + 1) * aCol];
                    float a2 = alpha * a[ai + (p + 2) * aCol];
                    float a3 = alpha * a[ai + (p + 3) * aCol];
                    int b0 = bOff + p * ldb;
                    axpy4(a0, a1, a2, a3, b, b0, b0 + ldb, b0 + 2 * ldb, b0 + 3 * ldb, c, ci, j0, j1);
                }
                for (; p < k1; p++) {
                    axpy(alpha * a[ai + p * aCol], b, bOff + p * ldb, c, ci, j0, j1);
                }
            }
        }
    }

    /** {@code c[ci+j] += a0*b[b0+j] + a1*b[b1+j] + a2*b[b2+j] + a3*b[b3+j]} for j in [j0, j1). */
    private static void axpy4(float a0, float a1, float a2, float a3, float[] b, int b0, int b1, int b2, int b3,
            float[] c, int ci, int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
        }
    }

    private static void axpy(float a0, float[] b, int b0, float[] c, int ci, int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            c[ci + j] += a0 * b[b0 + j];
        }
    }

    /** {@code C *= beta} on the m x n window (C := 0 when beta is 0). C modified. */
    public static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    c[ci + j] *= beta;
                }
            }
        }
    }

    /**
     * {@code out[j][i] = src[i][j]} for a rows x cols matrix at {@code srcOff} with row stride
     * {@code lds}; out is cols x rows, dense, from index 0. src not modified; out modified.
     */
    public static void transpose(int rows, int cols, float[] src, int srcOff, int lds, float[] out) {
        final int blk = 32;
        for (int i0 = 0; i0 < rows; i0 += blk) {
            int i1 = Math.min(rows, i0 + blk);
            for (int j0 = 0; j0 < cols; j0 += blk) {
                int j1 = Math.min(cols, j0 + blk);
                for (int i = i0; i < i1; i++) {
                    int s = srcOff + i * lds;
                    for (int j = j0; j < j1; j++) {
                        out[j * rows + i] = src[s + j];
                    }
                }
            }
        }
    }
}
