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
 * <p>Layout in the style of GotoBLAS: A is packed once into panels of {@link #MR} rows
 * ({@code p}-major, so one K step reads MR consecutive floats), B is packed per task into panels
 * of {@link #NR} columns for a {@link #KC}-deep slab, and an MR x NR register tile of
 * accumulators is updated with one broadcast of A and two vector loads of B per K step. Packing
 * absorbs the transposes, so the micro-kernel has a single shape. Tasks are (row block, column
 * block) pairs run on the engine's pool.
 *
 * <p>Only loaded when the incubator module is available; see {@link Gemm#SIMD}.
 */
final class SimdGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Rows of the register tile. Six rows of two vectors is twelve accumulators plus two B vectors
     * and one broadcast: fifteen registers, which fits AVX2's sixteen as well as AVX-512's 32.
     */
    static final int MR = 6;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;
    /** Depth of a packed slab: an MR x KC strip of A and a KC x NR strip of B fit in L1. */
    static final int KC = 256;
    /** Columns per task: a KC x NC slab of packed B stays in L2. */
    static final int NC = 512;
    /** Rows per task; a multiple of MR so every task starts on an A panel boundary. */
    static final int MC = 12 * MR;

    private static final ThreadLocal<float[]> PACK_B = ThreadLocal.withInitial(() -> new float[KC * NC]);

    private SimdGemm() {
    }

    /**
     * Packed forms of constant A matrices (weights), per array: weak keys, so they go when the
     * weights go. Arrays hash and compare by identity, which is what is wanted here.
     */
    private static final Map<float[], Map<List<Integer>, float[]>> PACKED =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** Same contract as {@link Gemm#sgemm}, with beta already applied to C by the caller. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean aConstant) {
        float[] ap;
        if (aConstant) {
            List<Integer> key = List.of(transA ? 1 : 0, m, k, aOff, lda);
            Map<List<Integer>, float[]> forArray = PACKED.computeIfAbsent(a, x -> new ConcurrentHashMap<>());
            ap = forArray.computeIfAbsent(key, x -> packA(transA, m, k, a, aOff, lda));
        } else {
            ap = packA(transA, m, k, a, aOff, lda);
        }
        int rowBlocks = (m + MC - 1) / MC;
        int colBlocks = (n + NC - 1) / NC;
        int tasks = rowBlocks * colBlocks;
        long work = (long) m * n * k;
        Parallel.RangeBody body = (from, to) -> {
            for (int t = from; t < to; t++) {
                int i0 = (t % rowBlocks) * MC;
                int j0 = (t / rowBlocks) * NC;
                block(i0, Math.min(m, i0 + MC), j0, Math.min(n, j0 + NC), k, alpha, ap, transB, b, bOff, ldb, c, cOff, ldc);
            }
        };
        if (tasks == 1 || work < (1L << 18)) {
            body.run(0, tasks);
        } else {
            Parallel.forRange(tasks, 1, body);
        }
    }

    static void forget(float[] a) {
        PACKED.remove(a);
    }

    /** A (m x k, or k x m stored when transposed) into MR-row panels, zero-padded. */
    static float[] packA(boolean transA, int m, int k, float[] a, int aOff, int lda) {
        int panels = (m + MR - 1) / MR;
        float[] ap = new float[panels * MR * k];
        for (int pi = 0; pi < panels; pi++) {
            int base = pi * MR * k;
            int rows = Math.min(MR, m - pi * MR);
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
        return ap;
    }

    private static void block(int i0, int i1, int j0, int j1, int k, float alpha, float[] ap,
            boolean transB, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        float[] bp = PACK_B.get();
        float[] edge = new float[MR * NR];
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            packB(transB, p0, kc, j0, j1, b, bOff, ldb, bp);
            // B micro-panel outer so it stays in L1 while the A micro-panels of this block stream
            // from L2 (they are 2.7x smaller than a B micro-panel).
            for (int j = j0; j < j1; j += NR) {
                int cols = Math.min(NR, j1 - j);
                int bBase = ((j - j0) / NR) * NR * kc;
                for (int i = i0; i < i1; i += MR) {
                    int rows = Math.min(MR, i1 - i);
                    int aBase = (i / MR) * MR * k + p0 * MR;
                    if (rows == MR && cols == NR) {
                        kernel(kc, alpha, ap, aBase, bp, bBase, c, cOff + i * ldc + j, ldc);
                    } else {
                        java.util.Arrays.fill(edge, 0f);
                        kernel(kc, alpha, ap, aBase, bp, bBase, edge, 0, NR);
                        for (int r = 0; r < rows; r++) {
                            int ci = cOff + (i + r) * ldc + j;
                            for (int q = 0; q < cols; q++) {
                                c[ci + q] += edge[r * NR + q];
                            }
                        }
                    }
                }
            }
        }
    }

    /** Rows p0..p0+kc of B, columns j0..j1, into NR-column panels (p-major), zero-padded. bp modified. */
    private static void packB(boolean transB, int p0, int kc, int j0, int j1, float[] b, int bOff, int ldb, float[] bp) {
        for (int j = j0; j < j1; j += NR) {
            int cols = Math.min(NR, j1 - j);
            int base = ((j - j0) / NR) * NR * kc;
            for (int p = 0; p < kc; p++) {
                int dst = base + p * NR;
                if (transB) {
                    for (int q = 0; q < cols; q++) {
                        bp[dst + q] = b[bOff + (j + q) * ldb + p0 + p];
                    }
                } else {
                    System.arraycopy(b, bOff + (p0 + p) * ldb + j, bp, dst, cols);
                }
                for (int q = cols; q < NR; q++) {
                    bp[dst + q] = 0f;
                }
            }
        }
    }

    /** C[0..MR, 0..NR] += alpha * Apanel * Bpanel over kc steps. C modified; panels not modified. */
    private static void kernel(int kc, float alpha, float[] ap, int aOff, float[] bp, int bOff,
            float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int pa = aOff;
        int pb = bOff;
        for (int p = 0; p < kc; p++, pa += MR, pb += NR) {
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
            a = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        // Written out rather than through a helper: passing vectors to a call that is not inlined
        // makes C2 box them, and the boxes then stay inside the loop (about 6x slower).
        FloatVector.fromArray(S, c, cOff).add(c00.mul(alpha)).intoArray(c, cOff);
        FloatVector.fromArray(S, c, cOff + L).add(c01.mul(alpha)).intoArray(c, cOff + L);
        FloatVector.fromArray(S, c, cOff + ldc).add(c10.mul(alpha)).intoArray(c, cOff + ldc);
        FloatVector.fromArray(S, c, cOff + ldc + L).add(c11.mul(alpha)).intoArray(c, cOff + ldc + L);
        FloatVector.fromArray(S, c, cOff + 2 * ldc).add(c20.mul(alpha)).intoArray(c, cOff + 2 * ldc);
        FloatVector.fromArray(S, c, cOff + 2 * ldc + L).add(c21.mul(alpha)).intoArray(c, cOff + 2 * ldc + L);
        FloatVector.fromArray(S, c, cOff + 3 * ldc).add(c30.mul(alpha)).intoArray(c, cOff + 3 * ldc);
        FloatVector.fromArray(S, c, cOff + 3 * ldc + L).add(c31.mul(alpha)).intoArray(c, cOff + 3 * ldc + L);
        FloatVector.fromArray(S, c, cOff + 4 * ldc).add(c40.mul(alpha)).intoArray(c, cOff + 4 * ldc);
        FloatVector.fromArray(S, c, cOff + 4 * ldc + L).add(c41.mul(alpha)).intoArray(c, cOff + 4 * ldc + L);
        FloatVector.fromArray(S, c, cOff + 5 * ldc).add(c50.mul(alpha)).intoArray(c, cOff + 5 * ldc);
        FloatVector.fromArray(S, c, cOff + 5 * ldc + L).add(c51.mul(alpha)).intoArray(c, cOff + 5 * ldc + L);
    }
}
