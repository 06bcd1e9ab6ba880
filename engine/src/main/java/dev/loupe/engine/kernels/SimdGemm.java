package dev.loupe.engine.kernels;

import dev.loupe.engine.Parallel;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API SGEMM behind {@link Gemm#sgemm} when {@code jdk.incubator.vector} is present.
 *
 * <p>Layout in the style of GotoBLAS: A is packed into panels of {@link #MR} rows ({@code p}-major,
 * so one K step reads MR consecutive floats), once per weight array; B is packed per task into
 * panels of {@link #NR} columns for a {@link #KC}-deep slab, by a {@link Gemm.PanelSource} (a stored
 * matrix, or im2col writing straight into the packed layout); an MR x NR register tile of
 * accumulators is updated with MR broadcasts of A and two vector loads of B per K step. Columns
 * past the last whole panel, when they fit one vector, get a panel of one vector and a kernel
 * over two A panels (eight rows) at a time: on 16-lane AVX-512, NR is 32, and the 16-tile
 * Winograd products of a batch-1 ResNet's last two stages were half padding. Every kernel keeps to
 * the preferred species: a narrow kernel on 256-bit halves was faster alone, but with 256- and
 * 512-bit vectors in one JVM, C2 stopped intrinsifying it and whole passes ran 2.5x slower.
 *
 * <p>Tasks own blocks of C: column blocks of at most {@link #NC} columns, and when those are too few
 * to feed every core, rows (when A is the larger operand, so it is read once) or more columns.
 *
 * <p>Only loaded when the incubator module is available; see {@link Gemm#SIMD}.
 */
final class SimdGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Rows of the register tile. Four rows of two vectors is eight accumulators; with two B
     * vectors and four broadcasts that is fourteen registers. C2 schedules every load of a K step
     * before the multiply-adds, so a six-row tile (fifteen live registers at best, eighteen as
     * scheduled) spills an accumulator to the stack on AVX2's sixteen, which measured 40 % slower
     * than this tile on JDK 25.
     */
    static final int MR = 4;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;
    /** Depth of a packed slab: an MR x KC strip of A and a KC x NR strip of B fit in L1. */
    static final int KC = 256;
    /** Rows of A walked per B micro-panel: an MC x KC block of packed A (128 KiB) stays in L2. */
    static final int MC = 128;
    /** Most columns per task: a KC x NC slab of packed B (256 KiB) stays in L2. */
    static final int NC = 256;
    /** Below this many multiply-adds a product runs on the calling thread. */
    static final long PARALLEL_WORK = 1L << 18;

    private static final ThreadLocal<float[]> PACK_B = ThreadLocal.withInitial(() -> new float[KC * NC]);
    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[MR * NR]);
    /** A narrow tail's panel when it does not start the packed slab (see {@link #packTail}). */
    private static final ThreadLocal<float[]> PACK_TAIL = ThreadLocal.withInitial(() -> new float[KC * L]);
    /** Whether tails of at most L columns get their own one-vector panel ({@code -Dloupe.gemm.narrow}, default on). */
    static final boolean NARROW = !"false".equals(System.getProperty("loupe.gemm.narrow"));
    /**
     * Whether a one-vector tail is read in place from a {@link Gemm.StoredRows} B whose rows have
     * room for it ({@code -Dloupe.gemm.direct-tail}, default on), instead of copied into a panel.
     */
    static final boolean DIRECT_TAIL = !"false".equals(System.getProperty("loupe.gemm.direct-tail"));

    private SimdGemm() {
    }

    /**
     * Packed forms of constant A matrices (weights), per array: weak keys, so they go when the
     * weights go. Arrays hash and compare by identity, which is what is wanted here.
     */
    private static final Map<float[], Map<List<Integer>, float[]>> PACKED =
            Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * {@code C = alpha * op(A) * B (+ C when accumulate)}, B given by its packer. C modified (its
     * m x n window); A not modified.
     */
    static void sgemm(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
            Gemm.PanelSource b, float[] c, int cOff, int ldc, boolean aConstant, boolean accumulate) {
        sgemm(transA, m, n, k, alpha, a, aOff, lda, b, c, cOff, ldc, aConstant, accumulate, null, 0, false);
    }

    /**
     * As {@link #sgemm(boolean, int, int, int, float, float[], int, int, Gemm.PanelSource, float[], int, int, boolean, boolean)},
     * then {@code + rowBias[biasOff + i]} on row i (when rowBias is not null) and {@code max(., 0)}
     * (when relu), applied as each register tile is stored: no second pass over C. rowBias not modified.
     */
    static void sgemm(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
            Gemm.PanelSource b, float[] c, int cOff, int ldc, boolean aConstant, boolean accumulate,
            float[] rowBias, int biasOff, boolean relu) {
        float[] ap;
        if (aConstant) {
            List<Integer> key = List.of(transA ? 1 : 0, m, k, aOff, lda);
            Map<List<Integer>, float[]> forArray = PACKED.computeIfAbsent(a, x -> new ConcurrentHashMap<>());
            ap = forArray.computeIfAbsent(key, x -> packA(transA, m, k, a, aOff, lda));
        } else {
            ap = packA(transA, m, k, a, aOff, lda);
        }
        sgemmPacked(m, n, k, alpha, ap, 0, b, c, cOff, ldc, accumulate, rowBias, biasOff, relu);
    }

    /** Floats of A (m x k) packed by {@link #packA}: whole MR-row panels. */
    static int packedSize(int m, int k) {
        return (m + MR - 1) / MR * MR * k;
    }

    /**
     * {@code C = alpha * A * B (+ C when accumulate)} with A already packed by {@link #packA}, its
     * panels starting at {@code apOff}. C modified (its m x n window); A not modified.
     */
    static void sgemmPacked(int m, int n, int k, float alpha, float[] ap, int apOff, Gemm.PanelSource b, float[] c, int cOff,
            int ldc, boolean accumulate) {
        sgemmPacked(m, n, k, alpha, ap, apOff, b, c, cOff, ldc, accumulate, null, 0, false);
    }

    /** As above, with the row bias and ReLU of {@link #sgemm} applied as tiles are stored. */
    static void sgemmPacked(int m, int n, int k, float alpha, float[] ap, int apOff, Gemm.PanelSource b, float[] c, int cOff,
            int ldc, boolean accumulate, float[] rowBias, int biasOff, boolean relu) {
        int panels = (n + NR - 1) / NR;
        long work = (long) m * n * k;
        int threads = work < PARALLEL_WORK || Parallel.insideSection() ? 1 : Parallel.threads();
        int rowPanels = (m + MR - 1) / MR;
        // At least NC columns per task keeps a B slab in L2. Beyond that, to feed every core, split
        // the larger of A and B: every column task streams all of A and every row task packs all
        // of B, so splitting rows when A is much the larger reads the weights once (layer 4 of a
        // ResNet at batch 1 has 512 x 4608 weights against 49 columns). Packing B costs more per
        // float than streaming A, hence the factor 4.
        int want = 2 * threads;
        int colTasks = (n + NC - 1) / NC;
        int rowTasks = 1;
        if (colTasks < want) {
            if ((long) m >= 4L * n) {
                rowTasks = Math.min(rowPanels, (want + colTasks - 1) / colTasks);
            } else {
                colTasks = Math.min(panels, want);
            }
            if (colTasks * rowTasks < want) {
                rowTasks = Math.min(rowPanels, (want + colTasks - 1) / colTasks);
            }
        }
        int tasks = colTasks * rowTasks;
        final int cols = colTasks;
        final int rows = rowTasks;
        Parallel.RangeBody body = (from, to) -> {
            for (int t = from; t < to; t++) {
                int ct = t / rows;
                int rt = t % rows;
                int j0 = (int) ((long) panels * ct / cols) * NR;
                int j1 = Math.min(n, (int) ((long) panels * (ct + 1) / cols) * NR);
                int i0 = (int) ((long) rowPanels * rt / rows) * MR;
                int i1 = Math.min(m, (int) ((long) rowPanels * (rt + 1) / rows) * MR);
                if (j0 < j1 && i0 < i1) {
                    block(i0, i1, j0, j1, k, alpha, ap, apOff, b, c, cOff, ldc, accumulate, rowBias, biasOff, relu);
                }
            }
        };
        if (tasks == 1 || threads == 1) {
            body.run(0, tasks);
        } else {
            // One task per claim: conv1's 49 column tasks in chunks of six left a thread idle for
            // 5-7 % of the product, one at a time 3-4 %.
            Parallel.forRange(tasks, 1, tasks, body);
        }
    }

    static void forget(float[] a) {
        PACKED.remove(a);
    }

    /** A (m x k, or k x m stored when transposed) into MR-row panels, zero-padded. */
    static float[] packA(boolean transA, int m, int k, float[] a, int aOff, int lda) {
        float[] ap = new float[packedSize(m, k)];
        packA(transA, m, k, a, aOff, lda, ap, 0);
        return ap;
    }

    /** As {@link #packA(boolean, int, int, float[], int, int)}, into ap from apOff (all of its panels written). ap modified. */
    static void packA(boolean transA, int m, int k, float[] a, int aOff, int lda, float[] ap, int apOff) {
        int panels = (m + MR - 1) / MR;
        for (int pi = 0; pi < panels; pi++) {
            int base = apOff + pi * MR * k;
            int rows = Math.min(MR, m - pi * MR);
            if (rows < MR) {
                // The last panel's missing rows are zeros.
                java.util.Arrays.fill(ap, base, base + MR * k, 0f);
            }
            for (int r = 0; r < rows; r++) {
                int i = pi * MR + r;
                if (transA) {
                    for (int p = 0; p < k; p++) {
                        ap[base + p * MR + r] = a[aOff + p * lda + i];
                    }
                } else {
                    int row = aOff + i * lda;
                    for (int p = 0; p < k; p++) {
                        ap[base + p * MR + r] = a[row + p];
                    }
                }
            }
        }
    }

    private static void block(int i0, int i1, int j0, int j1, int k, float alpha, float[] ap, int apOff,
            Gemm.PanelSource b, float[] c, int cOff, int ldc, boolean accumulate, float[] rowBias, int biasOff, boolean relu) {
        // Columns past the last whole NR panel go in a panel of one vector (L columns) when they
        // fit one: with 16 lanes NR is 32, and a 16-tile Winograd product of a batch-1 layer
        // would otherwise be half padding.
        int full = (j1 - j0) / NR;
        int rest = (j1 - j0) - full * NR;
        boolean narrowTail = NARROW && rest > 0 && rest <= L;
        int jt = narrowTail ? j0 + full * NR : j1;
        int width = narrowTail ? full * NR + L : ((j1 - j0 + NR - 1) / NR) * NR;
        // A narrow B (few columns) is packed whole when it fits the slab's budget: one pass down
        // each A panel, front to back, instead of KC-deep pieces of every panel in turn (the
        // products of a batch-1 Winograd layer stream megabytes of A against 16 columns).
        int depth = (long) k * width <= (long) KC * NC ? k : KC;
        float[] bp = PACK_B.get();
        if (bp.length < depth * width) {
            bp = new float[depth * width];
            PACK_B.set(bp);
        }
        float[] edge = EDGE.get();
        for (int p0 = 0; p0 < k; p0 += depth) {
            int kc = Math.min(depth, k - p0);
            if (jt > j0) {
                b.pack(p0, kc, j0, jt, NR, bp);
            }
            int tailBase = full * NR * kc;
            // The narrow tail is read where B is stored when its rows have room for a whole
            // vector past the last column, else from a packed copy.
            float[] tb = bp;
            int tbOff = tailBase;
            int tbStride = L;
            if (narrowTail && DIRECT_TAIL && b instanceof Gemm.StoredRows rowsB && jt + L <= rowsB.n() + rowsB.room()) {
                tb = rowsB.b();
                tbOff = rowsB.bOff() + p0 * rowsB.ldb() + jt;
                tbStride = rowsB.ldb();
            } else if (narrowTail) {
                packTail(b, p0, kc, jt, j1, bp, tailBase);
            }
            boolean acc = accumulate || p0 > 0;
            // The bias joins on the first slab, the ReLU waits for the last.
            float[] bias = p0 == 0 ? rowBias : null;
            boolean last = p0 + kc >= k;
            boolean clamp = relu && last;
            for (int ic = i0; ic < i1; ic += MC) {
                int ie = Math.min(i1, ic + MC);
                // B micro-panel outer so it stays in L1 while the A micro-panels of this block
                // stream from L2.
                for (int j = j0; j < jt; j += NR) {
                    int cols = Math.min(NR, jt - j);
                    int bBase = ((j - j0) / NR) * NR * kc;
                    for (int i = ic; i < ie; i += MR) {
                        int rows = Math.min(MR, ie - i);
                        int aBase = apOff + (i / MR) * MR * k + p0 * MR;
                        if (rows == MR && cols == NR) {
                            kernel(kc, alpha, ap, aBase, bp, bBase, c, cOff + i * ldc + j, ldc, acc, bias, biasOff + i, clamp);
                        } else {
                            kernel(kc, alpha, ap, aBase, bp, bBase, edge, 0, NR, false, null, 0, false);
                            storeEdge(edge, NR, rows, cols, c, cOff + i * ldc + j, ldc, acc, bias, biasOff + i, clamp);
                        }
                    }
                }
                if (narrowTail) {
                    int cols = j1 - jt;
                    int i = ic;
                    // Two A panels at a time: eight accumulators cover the FMA latency where one
                    // panel's four would not. Fewer than L columns go through the edge tile
                    // (eight rows of L fill it exactly).
                    for (; i + 2 * MR <= ie; i += 2 * MR) {
                        int aBase = apOff + (i / MR) * MR * k + p0 * MR;
                        if (cols == L) {
                            kernelNarrow(kc, alpha, ap, aBase, aBase + MR * k, tb, tbOff, tbStride, c, cOff + i * ldc + jt, ldc,
                                    acc, bias, biasOff + i, clamp);
                        } else {
                            kernelNarrow(kc, alpha, ap, aBase, aBase + MR * k, tb, tbOff, tbStride, edge, 0, L, false, null, 0, false);
                            storeEdge(edge, L, 2 * MR, cols, c, cOff + i * ldc + jt, ldc, acc, bias, biasOff + i, clamp);
                        }
                    }
                    if (i < ie) {
                        // Fewer than eight rows left: the same kernel through the edge tile, over
                        // the last one or two panels (the one twice when it is alone).
                        int aBase = apOff + (i / MR) * MR * k + p0 * MR;
                        int aBase2 = i + MR < ie ? aBase + MR * k : aBase;
                        kernelNarrow(kc, alpha, ap, aBase, aBase2, tb, tbOff, tbStride, edge, 0, L, false, null, 0, false);
                        storeEdge(edge, L, ie - i, cols, c, cOff + i * ldc + jt, ldc, acc, bias, biasOff + i, clamp);
                    }
                }
            }
        }
    }

    /**
     * Columns jt..j1 (at most L) of B's rows p0..p0+kc into one panel of L columns at bp[base..].
     * The PanelSource writes from its destination's start, so the panel goes through a scratch
     * array when base is not 0. bp modified.
     */
    private static void packTail(Gemm.PanelSource b, int p0, int kc, int jt, int j1, float[] bp, int base) {
        if (base == 0) {
            b.pack(p0, kc, jt, j1, L, bp);
            return;
        }
        float[] tail = PACK_TAIL.get();
        if (tail.length < kc * L) {
            tail = new float[kc * L];
            PACK_TAIL.set(tail);
        }
        b.pack(p0, kc, jt, j1, L, tail);
        System.arraycopy(tail, 0, bp, base, kc * L);
    }

    /**
     * The first {@code rows} x {@code cols} of a tile computed into {@code edge} (row stride {@code edgeStride})
     * into C, with the accumulate, bias and ReLU of the full-tile path. C modified; edge not modified.
     */
    private static void storeEdge(float[] edge, int edgeStride, int rows, int cols, float[] c, int cBase, int ldc, boolean acc,
            float[] bias, int bi, boolean clamp) {
        for (int r = 0; r < rows; r++) {
            int ci = cBase + r * ldc;
            float bv = bias == null ? 0f : bias[bi + r];
            for (int q = 0; q < cols; q++) {
                float v = acc ? c[ci + q] + edge[r * edgeStride + q] : edge[r * edgeStride + q];
                if (bias != null) {
                    v += bv;
                }
                c[ci + q] = clamp ? Math.max(v, 0f) : v;
            }
        }
    }

    /**
     * Rows p0..p0+kc, columns j0..j1 of a stored B (or of B^T when {@code transB}) into panels of
     * {@code nr} columns (p-major), zero-padded. dst modified; b not modified.
     */
    static void packMatrix(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int j1, int nr, float[] dst) {
        if (transB) {
            for (int j = j0; j < j1; j += nr) {
                int cols = Math.min(nr, j1 - j);
                int base = ((j - j0) / nr) * nr * kc;
                for (int q = 0; q < cols; q++) {
                    int src = bOff + (j + q) * ldb + p0;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * nr + q] = b[src + p];
                    }
                }
                zeroTail(dst, base, kc, cols, nr);
            }
            return;
        }
        // Row-outer: each row of B is read once, front to back, and scattered over the panels.
        // Panel-outer would walk kc rows ldb apart per panel, a TLB miss per row for wide B.
        int full = (j1 - j0) / nr;
        boolean vector = nr == NR;
        for (int p = 0; p < kc; p++) {
            int src = bOff + (p0 + p) * ldb + j0;
            int d = p * nr;
            for (int t = 0; t < full; t++, src += nr, d += nr * kc) {
                if (vector) {
                    FloatVector.fromArray(S, b, src).intoArray(dst, d);
                    FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
                } else {
                    System.arraycopy(b, src, dst, d, nr);
                }
            }
            int rest = (j1 - j0) - full * nr;
            if (rest > 0) {
                System.arraycopy(b, src, dst, d, rest);
                java.util.Arrays.fill(dst, d + rest, d + nr, 0f);
            }
        }
    }

    /**
     * {@code C[i][j] = alpha * dot(A row i, B row j) (+ C[i][j] when accumulate)} for a stored
     * B^T (n x k): row-by-row dot products, parallel over j. A and B not modified; C modified.
     */
    static void dotRows(int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, boolean accumulate) {
        long work = (long) m * n * k;
        int grain = (int) Math.max(1, Math.min(n, (1L << 16) / Math.max(1, (long) m * k)));
        Parallel.RangeBody body = (from, to) -> {
            int kv = k - k % L;
            for (int j = from; j < to; j++) {
                int bj = bOff + j * ldb;
                for (int i = 0; i < m; i++) {
                    int ai = aOff + i * lda;
                    FloatVector s0 = FloatVector.zero(S);
                    FloatVector s1 = FloatVector.zero(S);
                    int p = 0;
                    for (; p + 2 * L <= kv; p += 2 * L) {
                        s0 = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bj + p), s0);
                        s1 = FloatVector.fromArray(S, a, ai + p + L).fma(FloatVector.fromArray(S, b, bj + p + L), s1);
                    }
                    for (; p < kv; p += L) {
                        s0 = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bj + p), s0);
                    }
                    float sum = s0.add(s1).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                    for (; p < k; p++) {
                        sum += a[ai + p] * b[bj + p];
                    }
                    int ci = cOff + i * ldc + j;
                    c[ci] = accumulate ? c[ci] + alpha * sum : alpha * sum;
                }
            }
        };
        if (work < PARALLEL_WORK) {
            body.run(0, n);
        } else {
            Parallel.forRange(n, grain, body);
        }
    }

    /** {@code dst[d .. d+NR) = src[s .. s+NR)}. src not modified; dst modified. */
    static void copyPanelRow(float[] src, int s, float[] dst, int d) {
        FloatVector.fromArray(S, src, s).intoArray(dst, d);
        FloatVector.fromArray(S, src, s + L).intoArray(dst, d + L);
    }

    private static void zeroTail(float[] dst, int base, int kc, int cols, int nr) {
        if (cols < nr) {
            for (int p = 0; p < kc; p++) {
                java.util.Arrays.fill(dst, base + p * nr + cols, base + (p + 1) * nr, 0f);
            }
        }
    }

    /**
     * C[0..MR, 0..NR] = alpha * Apanel * Bpanel over kc steps, added to C's old contents when
     * {@code acc}, plus {@code bias[bi + r]} on row r when bias is not null, then {@code max(., 0)}
     * when relu. C modified; panels and bias not modified.
     */
    private static void kernel(int kc, float alpha, float[] ap, int aOff, float[] bp, int bOff,
            float[] c, int cOff, int ldc, boolean acc, float[] bias, int bi, boolean relu) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            // Offsets from the loop counter (not separate running indices) let C2 hoist the bounds checks.
            int pa = aOff + p * MR;
            int pb = bOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[pa]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        // Written out rather than through a helper: passing vectors to a call that is not inlined
        // makes C2 box them, and the boxes then stay inside the loop (about 6x slower).
        if (alpha != 1f) {
            c00 = c00.mul(alpha);
            c01 = c01.mul(alpha);
            c10 = c10.mul(alpha);
            c11 = c11.mul(alpha);
            c20 = c20.mul(alpha);
            c21 = c21.mul(alpha);
            c30 = c30.mul(alpha);
            c31 = c31.mul(alpha);
        }
        if (acc) {
            c00 = c00.add(FloatVector.fromArray(S, c, cOff));
            c01 = c01.add(FloatVector.fromArray(S, c, cOff + L));
            c10 = c10.add(FloatVector.fromArray(S, c, cOff + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, cOff + ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, cOff + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, cOff + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, cOff + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, cOff + 3 * ldc + L));
        }
        if (bias != null) {
            FloatVector v = FloatVector.broadcast(S, bias[bi]);
            c00 = c00.add(v);
            c01 = c01.add(v);
            v = FloatVector.broadcast(S, bias[bi + 1]);
            c10 = c10.add(v);
            c11 = c11.add(v);
            v = FloatVector.broadcast(S, bias[bi + 2]);
            c20 = c20.add(v);
            c21 = c21.add(v);
            v = FloatVector.broadcast(S, bias[bi + 3]);
            c30 = c30.add(v);
            c31 = c31.add(v);
        }
        if (relu) {
            // max(v, 0) as Math.max: NaN stays NaN, as in the unfused ReLU.
            c00 = c00.max(0f);
            c01 = c01.max(0f);
            c10 = c10.max(0f);
            c11 = c11.max(0f);
            c20 = c20.max(0f);
            c21 = c21.max(0f);
            c30 = c30.max(0f);
            c31 = c31.max(0f);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
    }

    /**
     * As {@link #kernel} for a B panel of one vector (L columns, row stride L) against two A panels
     * at once (rows 0..4 from aOff, 4..8 from aOff2): C[0..2*MR, 0..L]. C modified; panels and bias
     * not modified.
     */
    private static void kernelNarrow(int kc, float alpha, float[] ap, int aOff, int aOff2, float[] bp, int bOff, int bStride,
            float[] c, int cOff, int ldc, boolean acc, float[] bias, int bi, boolean relu) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S);
        FloatVector c5 = FloatVector.zero(S);
        FloatVector c6 = FloatVector.zero(S);
        FloatVector c7 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int pa = aOff + p * MR;
            int pa2 = aOff2 + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bOff + p * bStride);
            c0 = FloatVector.broadcast(S, ap[pa]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, ap[pa + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, ap[pa + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, ap[pa + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, ap[pa2]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, ap[pa2 + 1]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, ap[pa2 + 2]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, ap[pa2 + 3]).fma(b0, c7);
        }
        if (alpha != 1f) {
            c0 = c0.mul(alpha);
            c1 = c1.mul(alpha);
            c2 = c2.mul(alpha);
            c3 = c3.mul(alpha);
            c4 = c4.mul(alpha);
            c5 = c5.mul(alpha);
            c6 = c6.mul(alpha);
            c7 = c7.mul(alpha);
        }
        if (acc) {
            c0 = c0.add(FloatVector.fromArray(S, c, cOff));
            c1 = c1.add(FloatVector.fromArray(S, c, cOff + ldc));
            c2 = c2.add(FloatVector.fromArray(S, c, cOff + 2 * ldc));
            c3 = c3.add(FloatVector.fromArray(S, c, cOff + 3 * ldc));
            c4 = c4.add(FloatVector.fromArray(S, c, cOff + 4 * ldc));
            c5 = c5.add(FloatVector.fromArray(S, c, cOff + 5 * ldc));
            c6 = c6.add(FloatVector.fromArray(S, c, cOff + 6 * ldc));
            c7 = c7.add(FloatVector.fromArray(S, c, cOff + 7 * ldc));
        }
        if (bias != null) {
            c0 = c0.add(bias[bi]);
            c1 = c1.add(bias[bi + 1]);
            c2 = c2.add(bias[bi + 2]);
            c3 = c3.add(bias[bi + 3]);
            c4 = c4.add(bias[bi + 4]);
            c5 = c5.add(bias[bi + 5]);
            c6 = c6.add(bias[bi + 6]);
            c7 = c7.add(bias[bi + 7]);
        }
        if (relu) {
            c0 = c0.max(0f);
            c1 = c1.max(0f);
            c2 = c2.max(0f);
            c3 = c3.max(0f);
            c4 = c4.max(0f);
            c5 = c5.max(0f);
            c6 = c6.max(0f);
            c7 = c7.max(0f);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + ldc);
        c2.intoArray(c, cOff + 2 * ldc);
        c3.intoArray(c, cOff + 3 * ldc);
        c4.intoArray(c, cOff + 4 * ldc);
        c5.intoArray(c, cOff + 5 * ldc);
        c6.intoArray(c, cOff + 6 * ldc);
        c7.intoArray(c, cOff + 7 * ldc);
    }

    /** Rows of a panel of A in the lanes layout ({@link #packLanes}): four vectors. */
    static final int PW = 4 * L;
    /** Columns of C per lanes register tile. */
    private static final int LANE_COLS = 4;
    private static final ThreadLocal<float[]> LANES_TILE = ThreadLocal.withInitial(() -> new float[LANE_COLS * PW]);

    /** Floats of A (m x k) packed by {@link #packLanes}: whole PW-row panels. */
    static int lanesSize(int m, int k) {
        return (m + PW - 1) / PW * PW * k;
    }

    /**
     * A (m x k, row-major from aOff, lda) into panels of {@link #PW} rows with the rows in the
     * lanes: panel t holds rows t*PW.., and within it step p's PW values are consecutive.
     * Missing rows of the last panel are zeros. a not modified; dst modified.
     */
    static void packLanes(int m, int k, float[] a, int aOff, int lda, float[] dst, int dstOff) {
        int panels = (m + PW - 1) / PW;
        for (int t = 0; t < panels; t++) {
            int base = dstOff + t * PW * k;
            int rows = Math.min(PW, m - t * PW);
            if (rows < PW) {
                java.util.Arrays.fill(dst, base, base + PW * k, 0f);
            }
            for (int r = 0; r < rows; r++) {
                int row = aOff + (t * PW + r) * lda;
                for (int p = 0; p < k; p++) {
                    dst[base + p * PW + r] = a[row + p];
                }
            }
        }
    }

    /**
     * {@code C = A * B} for a B of few columns (n, at most L), with A packed by {@link #packLanes}
     * from atOff and B stored row-major (from bOff, ldb); C's old contents are ignored. The
     * products of a batch-1 Winograd layer have 16 columns, and the broadcast kernel spends a
     * broadcast of A on every multiply-add there, which caps it at about 70 % of the FMA peak;
     * here A's rows lie in the lanes and each broadcast of B serves four multiply-adds. Each C
     * element sums over k in order, as the narrow broadcast kernel does when it takes the whole
     * depth in one slab (k * L up to KC * NC), so there the two agree bit for bit. Runs on the
     * calling thread. A and B not modified; C modified (its m x n window).
     */
    static void sgemmLanes(int m, int n, int k, float[] at, int atOff, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        float[] tile = LANES_TILE.get();
        int panels = (m + PW - 1) / PW;
        // Past the last column the kernel repeats it; those results are not stored.
        int last = n - 1;
        for (int t = 0; t < panels; t++) {
            int aBase = atOff + t * PW * k;
            int rows = Math.min(PW, m - t * PW);
            for (int j = 0; j < n; j += LANE_COLS) {
                int cols = Math.min(LANE_COLS, n - j);
                kernelLanes(k, at, aBase, b, bOff, ldb, j, Math.min(j + 1, last), Math.min(j + 2, last), Math.min(j + 3, last), tile);
                for (int r = 0; r < rows; r++) {
                    int ci = cOff + (t * PW + r) * ldc + j;
                    for (int q = 0; q < cols; q++) {
                        c[ci + q] = tile[q * PW + r];
                    }
                }
            }
        }
    }

    /**
     * tile[q * PW + r] = sum over p of A(r, p) * B(p, column jq), for the PW rows of the lanes
     * panel at aBase and the four columns j0..j3. tile modified; panel and B not modified.
     */
    private static void kernelLanes(int k, float[] at, int aBase, float[] b, int bOff, int ldb, int j0, int j1, int j2, int j3,
            float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < k; p++) {
            int pa = aBase + p * PW;
            int pb = bOff + p * ldb;
            FloatVector a0 = FloatVector.fromArray(S, at, pa);
            FloatVector a1 = FloatVector.fromArray(S, at, pa + L);
            FloatVector a2 = FloatVector.fromArray(S, at, pa + 2 * L);
            FloatVector a3 = FloatVector.fromArray(S, at, pa + 3 * L);
            FloatVector bv;
            bv = FloatVector.broadcast(S, b[pb + j0]);
            c00 = a0.fma(bv, c00);
            c01 = a1.fma(bv, c01);
            c02 = a2.fma(bv, c02);
            c03 = a3.fma(bv, c03);
            bv = FloatVector.broadcast(S, b[pb + j1]);
            c10 = a0.fma(bv, c10);
            c11 = a1.fma(bv, c11);
            c12 = a2.fma(bv, c12);
            c13 = a3.fma(bv, c13);
            bv = FloatVector.broadcast(S, b[pb + j2]);
            c20 = a0.fma(bv, c20);
            c21 = a1.fma(bv, c21);
            c22 = a2.fma(bv, c22);
            c23 = a3.fma(bv, c23);
            bv = FloatVector.broadcast(S, b[pb + j3]);
            c30 = a0.fma(bv, c30);
            c31 = a1.fma(bv, c31);
            c32 = a2.fma(bv, c32);
            c33 = a3.fma(bv, c33);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, 1 * L);
        c02.intoArray(tile, 2 * L);
        c03.intoArray(tile, 3 * L);
        c10.intoArray(tile, 1 * PW);
        c11.intoArray(tile, 1 * PW + 1 * L);
        c12.intoArray(tile, 1 * PW + 2 * L);
        c13.intoArray(tile, 1 * PW + 3 * L);
        c20.intoArray(tile, 2 * PW);
        c21.intoArray(tile, 2 * PW + 1 * L);
        c22.intoArray(tile, 2 * PW + 2 * L);
        c23.intoArray(tile, 2 * PW + 3 * L);
        c30.intoArray(tile, 3 * PW);
        c31.intoArray(tile, 3 * PW + 1 * L);
        c32.intoArray(tile, 3 * PW + 2 * L);
        c33.intoArray(tile, 3 * PW + 3 * L);
    }
}
