package dev.loupe.engine.kernels;

import dev.loupe.engine.Parallel;

/**
 * 3x3 stride-1 convolution by Winograd's F(4x4, 3x3) (Lavin and Gray, 2015): each 4x4 block of
 * outputs comes from a 6x6 input tile with 36 multiplies per input channel instead of 144, a 4x
 * cut in the products against {@link Winograd}'s 2.25x, and 2.25 transformed floats per output
 * instead of 4, so less memory traffic between the three steps too. The steps are those of
 * {@link Winograd}: {@code U = G g G^T} once per weight array, {@code V = B^T d B} per tile, 36
 * independent products {@code M = U V} over the channels, {@code Y = A^T M A}, with the
 * interpolation points 0, 1, -1, 2, -2 and infinity:
 *
 * <pre>
 * B^T = [[4, 0,-5, 0, 1, 0],    G = [[ 1/4,    0,    0],    A^T = [[1, 1, 1, 1, 1, 0],
 *        [0,-4,-4, 1, 1, 0],         [-1/6, -1/6, -1/6],           [0, 1,-1, 2,-2, 0],
 *        [0, 4,-4,-1, 1, 0],         [-1/6,  1/6, -1/6],           [0, 1, 1, 4, 4, 0],
 *        [0,-2,-1, 2, 1, 0],         [1/24, 1/12,  1/6],           [0, 1,-1, 8,-8, 1]]
 *        [0, 2,-1,-2, 1, 0],         [1/24,-1/12,  1/6],
 *        [0, 4, 0,-5, 0, 1]]         [   0,    0,    1]]
 * </pre>
 *
 * <p>The larger points make the rounding error a few times that of F(2x2, 3x3): on ResNet-like
 * layers 1.4-2.4e-6 of the outputs' rms against 2.2-4.2e-7, measured against a double-precision
 * direct sum; the tests hold it to 300 float epsilons times the sum of |x w| over each window.
 * The transformed weights are 36/9 of the weights: on small images, where the weights are the
 * traffic that matters, F(2x2, 3x3) stays; {@link Winograd#forward} chooses.
 *
 * <p>Tiles are read through a 4x4 phase split of the padded input: element {@code (k, j)} of tile
 * {@code (ty, tx)} is {@code phase[k % 4][j % 4][ty + k / 4][tx + j / 4]}, so for every element
 * the tiles of a row are consecutive floats and the transforms run one vector of tiles at a time.
 */
public final class Winograd4 {
    /** Positions in a transformed 6x6 tile, and so independent products per convolution. */
    static final int POSITIONS = 36;
    /** Floats a vector store may run past the last tile of a row: the widest vector. */
    static final int OVERRUN = 16;

    /**
     * Fewest tiles in a block of tile rows. Each block streams all the transformed weights, so
     * thin blocks of wide layers (a 14x14 image of 256 channels fits 3 tile rows in a block)
     * measured slower than whole images with the 36 products side by side.
     */
    static final int MIN_BLOCK_TILES = 48;
    /**
     * Fewest 4x4 output tiles in a batch for F(4x4, 3x3) to be chosen: below it the transformed
     * weights (four times the weights) dominate the traffic. 512-channel 7x7 layers measured
     * 2.2 against 5.2 ms (F(2x2) against F(4x4)) for 1 image, 4.0 against 5.8 for 2, 8.0 against
     * 6.3 for 4 and 32 against 19 for 16; 256-channel 14x14 layers (16 tiles) 2.0 against 1.4 ms
     * for one image.
     */
    static final int MIN_TILES = 16;

    private Winograd4() {
    }

    /**
     * {@code y = conv(x, w) (+ bias)}, then {@code max(v, 0)} when relu, for n images of c channels
     * and m filters {@code [m, c, 3, 3]} of geometry g (3x3, stride 1, any pads). x, w and bias not
     * modified; y modified (every element written). bias may be null.
     */
    static void forward(float[] x, int n, int c, int m, float[] w, float[] bias, Window2d g, boolean relu, float[] y) {
        forward(x, n, c, m, w, bias, g, relu, y, Gemm.SIMD);
    }

    /** As above, with the transforms' vector forms only when {@code simd} (tests compare both). */
    static void forward(float[] x, int n, int c, int m, float[] w, float[] bias, Window2d g, boolean relu, float[] y,
            boolean simd) {
        if (n == 0) {
            return;
        }
        int tilesY = (g.oh() + 3) / 4;
        int tilesX = (g.ow() + 3) / 4;
        int tiles = tilesY * tilesX;
        int perTile = POSITIONS * (c + m);
        int rows = Math.max(1, Winograd.BLOCK_FLOATS / (perTile * tilesX));
        if ((long) perTile * tiles > Winograd.BLOCK_FLOATS && rows * tilesX >= MIN_BLOCK_TILES) {
            // Large images: blocks of tile rows whose transformed tiles stay in cache between the
            // three steps, one block per task with the steps inline; the rows are spread evenly
            // over the blocks, so the tasks differ by at most a row (see Winograd.forEachBlock for
            // the order they are claimed in).
            int perImage = (tilesY + rows - 1) / rows;
            int blocks = n * perImage;
            if (blocks >= 2 * Parallel.threads()) {
                int[] start = new int[perImage + 1];
                for (int k = 0; k <= perImage; k++) {
                    start[k] = tilesY * k / perImage;
                }
                float[] u = broadcastForm(w, m, c);
                Winograd.forEachBlock(start, n, (image, ty0, ty1) -> block(x, image, 1, ty0, ty1, c, m, u, null, bias, g, relu, y, simd));
                return;
            }
        }
        // Small images: chunks of whole images whose transformed tiles and products fit the
        // per-thread scratch buffer (a larger one would be allocated afresh on every call), the
        // images spread evenly over the chunks; the 36 products of a chunk run side by side.
        long fixed = POSITIONS * (16L * c + 2 * 1040) + OVERRUN;
        int most = (int) Math.max(1, (Scratch.MAX_KEPT - fixed) / ((long) perTile * tiles));
        int chunks = (n + most - 1) / most;
        int chunk = (n + chunks - 1) / chunks;
        float[] ut = Gemm.lanesApply(chunk * tiles)
                ? Gemm.derivedConstant(w, "winograd-f4x3-lanes",
                        () -> Winograd.lanesPacked(transformWeights(w, m, c), POSITIONS, m, c))
                : null;
        float[] u = ut == null ? broadcastForm(w, m, c) : null;
        for (int i0 = 0; i0 < n; i0 += chunk) {
            block(x, i0, Math.min(chunk, n - i0), 0, tilesY, c, m, u, ut, bias, g, relu, y, simd);
        }
    }

    /** The transformed weights packed for {@link Gemm#sgemmPacked}, made once per weight array. */
    private static float[] broadcastForm(float[] w, int m, int c) {
        return Gemm.derivedConstant(w, "winograd-f4x3", () -> Winograd.packed(transformWeights(w, m, c), POSITIONS, m, c));
    }

    /**
     * Images [image0, image0 + images), tile rows [ty0, ty1) of each: transform, 36 products,
     * inverse transform. The products split over the pool unless called from inside it; they read
     * the weights' lanes form ut or broadcast form u, as in {@link Winograd}'s block.
     */
    private static void block(float[] x, int image0, int images, int ty0, int ty1, int c, int m, float[] u, float[] ut,
            float[] bias, Window2d g, boolean relu, float[] y, boolean simd) {
        int tilesX = (g.ow() + 3) / 4;
        int p = images * (ty1 - ty0) * tilesX;
        // Each channel's row of V has room for a vector store past its last tile.
        int ldv = p + OVERRUN;
        int vStride = Winograd.positionStride(c * ldv);
        int mStride = Winograd.positionStride(m * p);
        int mOff = POSITIONS * vStride;
        float[] buf = Scratch.take(POSITIONS * (vStride + mStride) + OVERRUN);
        try {
            transformInput(x, image0, images, ty0, ty1, c, g, buf, vStride, ldv, simd);
            Parallel.forRange(POSITIONS, 1, POSITIONS, (from, to) -> {
                for (int xi = from; xi < to; xi++) {
                    if (ut != null) {
                        Gemm.sgemmLanes(m, p, c, ut, xi * Gemm.lanesSize(m, c), buf, xi * vStride, ldv, buf, mOff + xi * mStride, p);
                    } else {
                        Gemm.sgemmPacked(m, p, c, u, xi * Gemm.packedSize(m, c), buf, xi * vStride, ldv, OVERRUN, buf,
                                mOff + xi * mStride, p);
                    }
                }
            });
            transformOutput(buf, mOff, mStride, image0, images, ty0, ty1, m, g, bias, relu, y, simd);
        } finally {
            Scratch.give(buf);
        }
    }

    /**
     * {@code U[xi][k][ci] = (G g G^T)[xi]} for every filter k and channel ci, G as in the class
     * comment, computed in double. w not modified.
     */
    static float[] transformWeights(float[] w, int m, int c) {
        double[][] gm = {
            {1 / 4.0, 0, 0}, {-1 / 6.0, -1 / 6.0, -1 / 6.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
            {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1},
        };
        float[] u = new float[POSITIONS * m * c];
        double[] t = new double[18];
        for (int k = 0; k < m; k++) {
            for (int ci = 0; ci < c; ci++) {
                int src = (k * c + ci) * 9;
                // t = G g (6x3), then U = t G^T (6x6).
                for (int a = 0; a < 6; a++) {
                    for (int j = 0; j < 3; j++) {
                        t[a * 3 + j] = gm[a][0] * w[src + j] + gm[a][1] * w[src + 3 + j] + gm[a][2] * w[src + 6 + j];
                    }
                }
                for (int a = 0; a < 6; a++) {
                    for (int b = 0; b < 6; b++) {
                        double v = t[a * 3] * gm[b][0] + t[a * 3 + 1] * gm[b][1] + t[a * 3 + 2] * gm[b][2];
                        u[(a * 6 + b) * m * c + k * c + ci] = (float) v;
                    }
                }
            }
        }
        return u;
    }

    /**
     * {@code V[xi][ci][tile] = (B^T d B)[xi]} for the 6x6 input tile d of every (image, tile), tiles
     * numbered image-major then row-major, channel ci's row starting at {@code ci * ldv}; reads
     * outside the image are zero (padding). Position xi's block starts at {@code xi * stride}.
     * Up to {@link #OVERRUN} floats past each row's last tile are scratch. x not modified; v
     * modified.
     */
    static void transformInput(float[] x, int image0, int images, int ty0, int ty1, int c, Window2d g, float[] v,
            int stride, int ldv, boolean simd) {
        int tilesX = (g.ow() + 3) / 4;
        int rowsT = ty1 - ty0;
        int tiles = rowsT * tilesX;
        int r = tilesX + 1;
        int phaseSize = (rowsT + 1) * r + OVERRUN;
        // One task per channel, its images in order: a row's vector overrun into the next row of
        // the same channel is overwritten afterwards by the same thread.
        Parallel.forRange(c, Math.max(1, 2048 / Math.max(1, images * tiles)), (from, to) -> {
            float[] phase = new float[16 * phaseSize];
            float[] z = new float[POSITIONS * OVERRUN];
            for (int ci = from; ci < to; ci++) {
                for (int img = 0; img < images; img++) {
                    split(x, ((image0 + img) * c + ci) * g.h() * g.w(), g, ty0, rowsT + 1, r, phase, phaseSize, simd);
                    for (int ty = 0; ty < rowsT; ty++) {
                        int d = ci * ldv + img * tiles + ty * tilesX;
                        int done = simd ? SimdWinograd4.inputRow(phase, phaseSize, ty * r, r, v, d, stride, tilesX, z) : 0;
                        for (int tx = done; tx < tilesX; tx++) {
                            inputTile(phase, phaseSize, ty * r + tx, r, v, d + tx, stride, z);
                        }
                    }
                }
            }
        });
    }

    /**
     * The 4x4 phase split of rows [4*ty0 - padTop, ...) of one zero-padded plane:
     * {@code phase[qy*4 + qx][ry*r + t] = x[4*(ty0 + ry) + qy - padTop][4*t + qx - padLeft]}, zero
     * outside the plane. phase modified.
     */
    static void split(float[] x, int plane, Window2d g, int ty0, int phaseRows, int r, float[] phase, int phaseSize, boolean simd) {
        int h = g.h();
        int wd = g.w();
        for (int qy = 0; qy < 4; qy++) {
            for (int ry = 0; ry < phaseRows; ry++) {
                int yy = 4 * (ty0 + ry) + qy - g.padTop();
                int dst = qy * 4 * phaseSize + ry * r;
                if (yy < 0 || yy >= h) {
                    for (int qx = 0; qx < 4; qx++) {
                        java.util.Arrays.fill(phase, dst + qx * phaseSize, dst + qx * phaseSize + r, 0f);
                    }
                    continue;
                }
                int row = plane + yy * wd - g.padLeft();
                int a0 = dst;
                int a1 = dst + phaseSize;
                int a2 = dst + 2 * phaseSize;
                int a3 = dst + 3 * phaseSize;
                // Tiles columns [lo, hi) read four columns inside the plane; the rest check each.
                int lo = Math.min(r, (g.padLeft() + 3) / 4);
                int hi = Math.max(lo, Math.min(r, Math.floorDiv(wd - 4 + g.padLeft(), 4) + 1));
                for (int t = 0; t < r; t++) {
                    if (t == lo) {
                        if (simd && Gemm.SHUFFLES) {
                            t = SimdWinograd4.splitRow(x, row, lo, hi, phase, a0, a1, a2, a3);
                        }
                        for (; t < hi; t++) {
                            int at = row + 4 * t;
                            phase[a0 + t] = x[at];
                            phase[a1 + t] = x[at + 1];
                            phase[a2 + t] = x[at + 2];
                            phase[a3 + t] = x[at + 3];
                        }
                        if (t == r) {
                            break;
                        }
                    }
                    int xx = 4 * t - g.padLeft();
                    phase[a0 + t] = xx >= 0 && xx < wd ? x[row + 4 * t] : 0f;
                    phase[a1 + t] = xx + 1 >= 0 && xx + 1 < wd ? x[row + 4 * t + 1] : 0f;
                    phase[a2 + t] = xx + 2 >= 0 && xx + 2 < wd ? x[row + 4 * t + 2] : 0f;
                    phase[a3 + t] = xx + 3 >= 0 && xx + 3 < wd ? x[row + 4 * t + 3] : 0f;
                }
            }
        }
    }

    /** The input transform of one tile whose (0, 0) element is at {@code base} of phase 0. v and z modified. */
    static void inputTile(float[] phase, int phaseSize, int base, int r, float[] v, int at, int stride, float[] z) {
        for (int k = 0; k < 6; k++) {
            int row = ((k & 3) * 4) * phaseSize + base + (k >> 2) * r;
            float d0 = phase[row];
            float d1 = phase[row + phaseSize];
            float d2 = phase[row + 2 * phaseSize];
            float d3 = phase[row + 3 * phaseSize];
            float d4 = phase[row + 1];
            float d5 = phase[row + phaseSize + 1];
            bt(d0, d1, d2, d3, d4, d5, z, k * 6, 1);
        }
        for (int b = 0; b < 6; b++) {
            float e0 = z[b];
            float e1 = z[6 + b];
            float e2 = z[12 + b];
            float e3 = z[18 + b];
            float e4 = z[24 + b];
            float e5 = z[30 + b];
            float p = e4 - 4f * e2;
            float q = 4f * e1 - e3;
            float s = e4 - e2;
            float t = 2f * (e1 - e3);
            v[at + b * stride] = 4f * e0 - 5f * e2 + e4;
            v[at + (6 + b) * stride] = p - q;
            v[at + (12 + b) * stride] = p + q;
            v[at + (18 + b) * stride] = s - t;
            v[at + (24 + b) * stride] = s + t;
            v[at + (30 + b) * stride] = 4f * e1 - 5f * e3 + e5;
        }
    }

    /** {@code out[off + i*step] = (B^T d)[i]} for one column d of six. out modified. */
    private static void bt(float d0, float d1, float d2, float d3, float d4, float d5, float[] out, int off, int step) {
        float p = d4 - 4f * d2;
        float q = 4f * d1 - d3;
        float s = d4 - d2;
        float t = 2f * (d1 - d3);
        out[off] = 4f * d0 - 5f * d2 + d4;
        out[off + step] = p - q;
        out[off + 2 * step] = p + q;
        out[off + 3 * step] = s - t;
        out[off + 4 * step] = s + t;
        out[off + 5 * step] = 4f * d1 - 5f * d3 + d5;
    }

    /**
     * {@code y = A^T M A (+ bias)} for every (image, filter, tile), cropped to the output size;
     * position xi's block of M starts at {@code mOff + xi * stride}, filter k's row at {@code k * p};
     * with {@code relu}, {@code max(v, 0)} of each. Reads up to {@link #OVERRUN} floats past a row.
     * mm not modified; y modified (every output element of the tile rows written).
     */
    static void transformOutput(float[] mm, int mOff, int stride, int image0, int images, int ty0, int ty1, int m, Window2d g,
            float[] bias, boolean relu, float[] y, boolean simd) {
        int tilesX = (g.ow() + 3) / 4;
        int tiles = (ty1 - ty0) * tilesX;
        int p = images * tiles;
        int oh = g.oh();
        int ow = g.ow();
        // One (image, filter) plane's tiles are consecutive in M, so they are transformed as one
        // run across tile rows: at 16 lanes a row of a 28- or 14-pixel map fills 7 or 4 lanes.
        int ot = tiles + OVERRUN;
        Parallel.forRange(images * m, Math.max(1, 1024 / Math.max(1, tiles)), (from, to) -> {
            // o[(i*4 + j)*ot + f]: output row i, column j of tile f (row-major), before the bias.
            float[] o = new float[16 * ot];
            float[] s = new float[24 * OVERRUN];
            for (int task = from; task < to; task++) {
                int img = task / m;
                int k = task % m;
                float bv = bias == null ? 0f : bias[k];
                int plane = ((image0 + img) * m + k) * oh * ow;
                int src = mOff + k * p + img * tiles;
                int done = simd ? SimdWinograd4.outputTiles(mm, src, stride, s, o, ot, tiles) : 0;
                for (int f = done; f < tiles; f++) {
                    outputTile(mm, src + f, stride, o, ot, f, s);
                }
                for (int ty = ty0; ty < ty1; ty++) {
                    int tb = (ty - ty0) * tilesX;
                    for (int i = 0; i < 4; i++) {
                        int yy = 4 * ty + i;
                        if (yy >= oh) {
                            break;
                        }
                        int row = plane + yy * ow;
                        int o0 = (i * 4) * ot + tb;
                        int full = Math.min(tilesX, ow / 4);
                        for (int tx = 0; tx < full; tx++) {
                            int xx = row + 4 * tx;
                            float v0 = o[o0 + tx] + bv;
                            float v1 = o[o0 + ot + tx] + bv;
                            float v2 = o[o0 + 2 * ot + tx] + bv;
                            float v3 = o[o0 + 3 * ot + tx] + bv;
                            y[xx] = relu ? Math.max(v0, 0f) : v0;
                            y[xx + 1] = relu ? Math.max(v1, 0f) : v1;
                            y[xx + 2] = relu ? Math.max(v2, 0f) : v2;
                            y[xx + 3] = relu ? Math.max(v3, 0f) : v3;
                        }
                        for (int xx = 4 * full; xx < ow; xx++) {
                            float v0 = o[o0 + (xx & 3) * ot + (xx >> 2)] + bv;
                            y[row + xx] = relu ? Math.max(v0, 0f) : v0;
                        }
                    }
                }
            }
        });
    }

    /** The output transform of one tile into column tx of o, as in {@link #transformOutput}. o and s modified. */
    static void outputTile(float[] mm, int src, int stride, float[] o, int ot, int tx, float[] s) {
        // s[i*6 + b] = (A^T M)[i][b], then o[i][j] = (s A)[i][j].
        for (int b = 0; b < 6; b++) {
            float m0 = mm[src + b * stride];
            float m1 = mm[src + (6 + b) * stride];
            float m2 = mm[src + (12 + b) * stride];
            float m3 = mm[src + (18 + b) * stride];
            float m4 = mm[src + (24 + b) * stride];
            float m5 = mm[src + (30 + b) * stride];
            float sum12 = m1 + m2;
            float dif12 = m1 - m2;
            float sum34 = m3 + m4;
            float dif34 = m3 - m4;
            s[b] = m0 + sum12 + sum34;
            s[6 + b] = dif12 + 2f * dif34;
            s[12 + b] = sum12 + 4f * sum34;
            s[18 + b] = dif12 + 8f * dif34 + m5;
        }
        for (int i = 0; i < 4; i++) {
            float m0 = s[i * 6];
            float m1 = s[i * 6 + 1];
            float m2 = s[i * 6 + 2];
            float m3 = s[i * 6 + 3];
            float m4 = s[i * 6 + 4];
            float m5 = s[i * 6 + 5];
            float sum12 = m1 + m2;
            float dif12 = m1 - m2;
            float sum34 = m3 + m4;
            float dif34 = m3 - m4;
            int at = (i * 4) * ot + tx;
            o[at] = m0 + sum12 + sum34;
            o[at + ot] = dif12 + 2f * dif34;
            o[at + 2 * ot] = sum12 + 4f * sum34;
            o[at + 3 * ot] = dif12 + 8f * dif34 + m5;
        }
    }
}
