package dev.loupe.engine.kernels;

import dev.loupe.engine.Parallel;

/**
 * 3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, 2015):
 * each 2x2 block of outputs is computed from a 4x4 input tile with 16 multiplies per input
 * channel instead of 36, so the products, which dominate, shrink by 2.25x.
 *
 * <p>Three steps. The weights become {@code U = G g G^T} (once per weight array). The input is cut
 * into overlapping 4x4 tiles, each transformed to {@code V = B^T d B}. For each of the 16
 * positions of a transformed tile there is then one independent product {@code M = U V} over the
 * channels (a GEMM of out-channels x channels by channels x tiles), and each output block is
 * {@code A^T M A}. Large images are cut into blocks of tile rows small enough for the three steps
 * to meet in cache, one block per thread; small images (late in a network, few tiles) run whole,
 * with the 16 products of a block side by side so both cores stay busy.
 *
 * <p>The transforms use only additions, subtractions and halvings, so the result differs from the
 * direct sum by float rounding only (the tests hold it to 1e-4 relative of a double-precision
 * direct convolution); it is not bit-identical to {@link Im2col}-based convolution. Set the
 * system property {@code loupe.winograd=false} to always use the direct path.
 *
 * <p>Batches with enough output tiles go to {@link Winograd4}, F(4x4, 3x3), which cuts the
 * products by 4x instead of 2.25x at a few times the rounding error; see {@link #prefersF4}.
 */
public final class Winograd {
    /** Positions in a transformed 4x4 tile, and so independent products per convolution. */
    static final int POSITIONS = 16;
    /**
     * The transforms grow linearly with the channels and the products they save quadratically, so
     * narrow layers keep the direct path. 64 is the narrowest 3x3 layer of ResNet-18, where
     * Winograd measured faster in back-to-back runs (layer 1 4.7-5.2 ms against 6.0-6.3 ms direct,
     * layer 4 4.7 against 8.5 ms, before the row blocks); narrower layers were not measured. It also keeps the bundled Fashion-MNIST models (at most 32 input
     * channels), whose training is reproducible byte for byte, on the direct path.
     */
    static final int MIN_CHANNELS = 64;
    /** Transformed floats per chunk of whole images: bounds the two temporary buffers on batch work. */
    static final int CHUNK_FLOATS = 1 << 22;
    /**
     * Transformed input and product floats per block of tile rows (1 MiB): images whose
     * transformed tiles exceed this are cut into row blocks, so each block's tiles are still in
     * cache when its products and inverse transform read them.
     */
    static final int BLOCK_FLOATS = 1 << 18;

    private static final boolean ENABLED = !"false".equals(System.getProperty("loupe.winograd"));

    /** {@code loupe.winograd4}: {@code auto} (the default), {@code true} or {@code false}. */
    private static final String F4 = System.getProperty("loupe.winograd4", "auto");

    private Winograd() {
    }

    /**
     * Whether {@link #forward} hands these n images to F(4x4, 3x3) ({@link Winograd4}) rather than
     * F(2x2, 3x3): when they have at least {@link Winograd4#MIN_TILES} 4x4 output tiles, unless the
     * system property {@code loupe.winograd4} says {@code true} or {@code false}.
     */
    public static boolean prefersF4(Window2d g, int n) {
        if (F4.equals("true") || F4.equals("false")) {
            return F4.equals("true");
        }
        return (long) n * ((g.oh() + 3) / 4) * ((g.ow() + 3) / 4) >= Winograd4.MIN_TILES;
    }

    /** Whether a convolution of this geometry, channel counts and group count runs here. */
    public static boolean applies(Window2d g, int channels, int outChannels, int group) {
        return ENABLED && group == 1 && g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.dh() == 1
                && g.dw() == 1 && channels >= MIN_CHANNELS && outChannels >= MIN_CHANNELS;
    }

    /**
     * {@code y = conv(x, w) (+ bias)} for n images of c channels and m filters {@code [m, c, 3, 3]}
     * of geometry g (3x3, stride 1, any pads). x, w and bias not modified; y modified (every
     * element written). bias may be null.
     */
    public static void forward(float[] x, int n, int c, int m, float[] w, float[] bias, Window2d g, float[] y) {
        forward(x, n, c, m, w, bias, g, false, y);
    }

    /**
     * As {@link #forward(float[], int, int, int, float[], float[], Window2d, float[])}, with
     * {@code max(v, 0)} applied to every output when {@code relu} (a following ReLU fused into the
     * inverse transform, where the values are in registers anyway).
     */
    public static void forward(float[] x, int n, int c, int m, float[] w, float[] bias, Window2d g, boolean relu, float[] y) {
        if (prefersF4(g, n)) {
            Winograd4.forward(x, n, c, m, w, bias, g, relu, y);
            return;
        }
        int tilesY = (g.oh() + 1) / 2;
        int tilesX = (g.ow() + 1) / 2;
        int tiles = tilesY * tilesX;
        int perTile = POSITIONS * (c + m);
        if ((long) perTile * tiles > BLOCK_FLOATS) {
            // Large images: blocks of tile rows whose transformed tiles stay in cache between the
            // three steps, one block per task with the steps inline.
            int rows = Math.max(1, BLOCK_FLOATS / (perTile * tilesX));
            int perImage = (tilesY + rows - 1) / rows;
            int blocks = n * perImage;
            if (blocks >= 2 * Parallel.threads()) {
                int[] start = new int[perImage + 1];
                for (int k = 0; k <= perImage; k++) {
                    start[k] = Math.min(tilesY, k * rows);
                }
                float[] u = broadcastForm(w, m, c);
                forEachBlock(start, n, (image, ty0, ty1) -> block(x, image, 1, ty0, ty1, c, m, u, null, bias, g, relu, y));
                return;
            }
        }
        // Small images (late layers): whole images per block, so the weights, the larger operand
        // there, stream once per block; the 16 products of a block run side by side.
        int chunk = Math.max(1, Math.min(n, CHUNK_FLOATS / Math.max(1, POSITIONS * Math.max(c, m) * tiles)));
        // Products of at most a vector's width read the lanes form of the weights, the others the
        // broadcast form; each form is made when first needed.
        float[] ut = Gemm.lanesApply(chunk * tiles)
                ? Gemm.derivedConstant(w, "winograd-f2x3-lanes", () -> lanesPacked(transformWeights(w, m, c), POSITIONS, m, c))
                : null;
        float[] u = ut == null ? broadcastForm(w, m, c) : null;
        for (int i0 = 0; i0 < n; i0 += chunk) {
            block(x, i0, Math.min(chunk, n - i0), 0, tilesY, c, m, u, ut, bias, g, relu, y);
        }
    }

    /** The transformed weights packed for {@link Gemm#sgemmPacked}, made once per weight array. */
    private static float[] broadcastForm(float[] w, int m, int c) {
        return Gemm.derivedConstant(w, "winograd-f2x3", () -> packed(transformWeights(w, m, c), POSITIONS, m, c));
    }

    /**
     * Images [image0, image0 + images), tile rows [ty0, ty1) of each: transform, 16 products,
     * inverse transform. The products split over the pool unless called from inside it. They read
     * the lanes form of the weights {@code ut} when it is given (every product of the call is then
     * narrow enough for it, and u is null), else the broadcast form u.
     */
    private static void block(float[] x, int image0, int images, int ty0, int ty1, int c, int m, float[] u, float[] ut,
            float[] bias, Window2d g, boolean relu, float[] y) {
        int tilesX = (g.ow() + 1) / 2;
        int p = images * (ty1 - ty0) * tilesX;
        int vStride = positionStride(c * p);
        int mStride = positionStride(m * p);
        int mOff = POSITIONS * vStride;
        float[] buf = Scratch.take(POSITIONS * (vStride + mStride));
        try {
            transformInput(x, image0, images, ty0, ty1, c, g, buf, vStride);
            Parallel.forRange(POSITIONS, 1, POSITIONS, (from, to) -> {
                for (int xi = from; xi < to; xi++) {
                    if (ut != null) {
                        Gemm.sgemmLanes(m, p, c, ut, xi * Gemm.lanesSize(m, c), buf, xi * vStride, p, buf, mOff + xi * mStride, p);
                    } else {
                        Gemm.sgemmPacked(m, p, c, u, xi * Gemm.packedSize(m, c), buf, xi * vStride, p, buf, mOff + xi * mStride, p);
                    }
                }
            });
            transformOutput(buf, mOff, mStride, image0, images, ty0, ty1, m, g, bias, relu, y);
        } finally {
            Scratch.give(buf);
        }
    }

    /**
     * The distance between the blocks of two tile positions, at least {@code floats}: one cache
     * line past a multiple of 4 KiB. The transforms read or write all 16 blocks at once, and
     * blocks a multiple of 4 KiB apart would fall in the same L1 sets (16 streams in an 8-way
     * cache) and alias in the store buffer; this measured 2-3x slower transforms.
     */
    static int positionStride(int floats) {
        return (floats + 1023) / 1024 * 1024 + 16;
    }

    /** One block of tile rows {@code [ty0, ty1)} of one image. */
    @FunctionalInterface
    interface RowBlock {
        void run(int image, int ty0, int ty1);
    }

    /**
     * Runs {@code block} on every block of tile rows of {@code images} images, block k spanning
     * rows {@code [start[k], start[k+1])}, one block per task, in parallel. For one image, blocks
     * are claimed one at a time, larger first, so they even out over the threads as well as their
     * sizes allow (3, 4, 3 and 4 rows claimed in turn went 6 and 8 to two threads). With several
     * images, claims are runs of neighbouring blocks, which kept plain occlusion's batches of 16
     * faster (3.2-4.1 s against 3.7-5.3 s one block at a time, larger first).
     */
    static void forEachBlock(int[] start, int images, RowBlock block) {
        int perImage = start.length - 1;
        int[] order = claimOrder(start, images);
        Parallel.forRange(order.length, 1, images == 1 ? order.length : 4, (from, to) -> {
            for (int j = from; j < to; j++) {
                int k = order[j] % perImage;
                block.run(order[j] / perImage, start[k], start[k + 1]);
            }
        });
    }

    /**
     * The order {@link #forEachBlock} claims blocks in: block {@code image * perImage + k}; for one
     * image sorted by size, largest first (stable), for several in order.
     */
    static int[] claimOrder(int[] start, int images) {
        int perImage = start.length - 1;
        Integer[] order = new Integer[perImage * images];
        for (int b = 0; b < order.length; b++) {
            order[b] = b;
        }
        if (images == 1) {
            java.util.Arrays.sort(order, (a, b) -> Integer.compare(start[b + 1] - start[b], start[a + 1] - start[a]));
        }
        return java.util.Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /**
     * Transformed weights {@code u} (positions blocks of m x c) packed for {@link Gemm#sgemmPacked},
     * one block after another; both Winograd variants keep only this form. u not modified.
     */
    static float[] packed(float[] u, int positions, int m, int c) {
        int size = Gemm.packedSize(m, c);
        float[] out = new float[positions * size];
        for (int xi = 0; xi < positions; xi++) {
            Gemm.packConstant(m, c, u, xi * m * c, c, out, xi * size);
        }
        return out;
    }

    /**
     * Transformed weights {@code u} (positions blocks of m x c) packed for {@link Gemm#sgemmLanes},
     * kept besides the {@link #packed} form (about as large) and made only when a product is narrow
     * enough for it: a batch-1 pass through a ResNet's last two stages. u not modified.
     */
    static float[] lanesPacked(float[] u, int positions, int m, int c) {
        int size = Gemm.lanesSize(m, c);
        float[] out = new float[positions * size];
        for (int xi = 0; xi < positions; xi++) {
            Gemm.packLanes(m, c, u, xi * m * c, c, out, xi * size);
        }
        return out;
    }

    /**
     * {@code U[xi][k][ci] = (G g G^T)[xi]} for every filter k and channel ci, with
     * {@code G = [[1,0,0], [1/2,1/2,1/2], [1/2,-1/2,1/2], [0,0,1]]}. w not modified.
     */
    static float[] transformWeights(float[] w, int m, int c) {
        float[] u = new float[POSITIONS * m * c];
        float[] t = new float[12];
        for (int k = 0; k < m; k++) {
            for (int ci = 0; ci < c; ci++) {
                int src = (k * c + ci) * 9;
                // t = G g (4x3), then U = t G^T (4x4).
                for (int j = 0; j < 3; j++) {
                    float g0 = w[src + j];
                    float g1 = w[src + 3 + j];
                    float g2 = w[src + 6 + j];
                    t[j] = g0;
                    t[3 + j] = 0.5f * (g0 + g1 + g2);
                    t[6 + j] = 0.5f * (g0 - g1 + g2);
                    t[9 + j] = g2;
                }
                for (int a = 0; a < 4; a++) {
                    float g0 = t[a * 3];
                    float g1 = t[a * 3 + 1];
                    float g2 = t[a * 3 + 2];
                    int dst = k * c + ci;
                    u[(a * 4) * m * c + dst] = g0;
                    u[(a * 4 + 1) * m * c + dst] = 0.5f * (g0 + g1 + g2);
                    u[(a * 4 + 2) * m * c + dst] = 0.5f * (g0 - g1 + g2);
                    u[(a * 4 + 3) * m * c + dst] = g2;
                }
            }
        }
        return u;
    }

    /**
     * {@code V[xi][ci][tile] = (B^T d B)[xi]} for the 4x4 input tile d of every (image, tile),
     * tiles numbered image-major then row-major, with
     * {@code B^T = [[1,0,-1,0], [0,1,1,0], [0,-1,1,0], [0,1,0,-1]]}; reads outside the image are
     * zero (padding). Position xi's block starts at {@code xi * stride}. x not modified; v modified.
     */
    static void transformInput(float[] x, int image0, int images, int ty0, int ty1, int c, Window2d g, float[] v, int stride) {
        int tilesX = (g.ow() + 1) / 2;
        int tiles = (ty1 - ty0) * tilesX;
        int p = images * tiles;
        int h = g.h();
        int wd = g.w();
        int rows = 2 * (ty1 - ty0) + 2;
        int cols = tilesX + 1;
        Parallel.forRange(images * c, Math.max(1, 4096 / Math.max(1, tiles)), (from, to) -> {
            // The padded plane split into even and odd columns: the four columns of tile tx are
            // then even[tx], odd[tx], even[tx + 1], odd[tx + 1], so every loop below is unit-stride.
            float[] even = new float[rows * cols];
            float[] odd = new float[rows * cols];
            for (int task = from; task < to; task++) {
                int img = task / c;
                int ci = task % c;
                int plane = ((image0 + img) * c + ci) * h * wd;
                for (int r = 0; r < rows; r++) {
                    int yy = 2 * ty0 + r - g.padTop();
                    int base = r * cols;
                    if (yy < 0 || yy >= h) {
                        java.util.Arrays.fill(even, base, base + cols, 0f);
                        java.util.Arrays.fill(odd, base, base + cols, 0f);
                        continue;
                    }
                    int row = plane + yy * wd;
                    for (int t = 0; t < cols; t++) {
                        int xx = 2 * t - g.padLeft();
                        even[base + t] = xx >= 0 && xx < wd ? x[row + xx] : 0f;
                        odd[base + t] = xx + 1 >= 0 && xx + 1 < wd ? x[row + xx + 1] : 0f;
                    }
                }
                int dst = ci * p + img * tiles;
                for (int ty = 0; ty < ty1 - ty0; ty++) {
                    int q0 = 2 * ty * cols;
                    int q1 = q0 + cols;
                    int q2 = q1 + cols;
                    int q3 = q2 + cols;
                    int d = dst + ty * tilesX;
                    // Column b of B^T d, for the four rows, then the rows combined by B^T: V[a][b].
                    int done = Gemm.SIMD ? SimdWinograd.inputRow(even, odd, q0, q1, q2, q3, v, d, stride, tilesX) : 0;
                    for (int tx = done; tx < tilesX; tx++) {
                        float e0 = even[q0 + tx];
                        float e1 = even[q1 + tx];
                        float e2 = even[q2 + tx];
                        float e3 = even[q3 + tx];
                        float f0 = even[q0 + tx + 1];
                        float f1 = even[q1 + tx + 1];
                        float f2 = even[q2 + tx + 1];
                        float f3 = even[q3 + tx + 1];
                        float o0 = odd[q0 + tx];
                        float o1 = odd[q1 + tx];
                        float o2 = odd[q2 + tx];
                        float o3 = odd[q3 + tx];
                        float u0 = odd[q0 + tx + 1];
                        float u1 = odd[q1 + tx + 1];
                        float u2 = odd[q2 + tx + 1];
                        float u3 = odd[q3 + tx + 1];
                        // Row i of B^T d B's inner product along x: (d0 - d2), (d1 + d2), (d2 - d1), (d1 - d3).
                        float r00 = e0 - f0;
                        float r01 = o0 + f0;
                        float r02 = f0 - o0;
                        float r03 = o0 - u0;
                        float r10 = e1 - f1;
                        float r11 = o1 + f1;
                        float r12 = f1 - o1;
                        float r13 = o1 - u1;
                        float r20 = e2 - f2;
                        float r21 = o2 + f2;
                        float r22 = f2 - o2;
                        float r23 = o2 - u2;
                        float r30 = e3 - f3;
                        float r31 = o3 + f3;
                        float r32 = f3 - o3;
                        float r33 = o3 - u3;
                        v[d + tx] = r00 - r20;
                        v[stride + d + tx] = r01 - r21;
                        v[2 * stride + d + tx] = r02 - r22;
                        v[3 * stride + d + tx] = r03 - r23;
                        v[4 * stride + d + tx] = r10 + r20;
                        v[5 * stride + d + tx] = r11 + r21;
                        v[6 * stride + d + tx] = r12 + r22;
                        v[7 * stride + d + tx] = r13 + r23;
                        v[8 * stride + d + tx] = r20 - r10;
                        v[9 * stride + d + tx] = r21 - r11;
                        v[10 * stride + d + tx] = r22 - r12;
                        v[11 * stride + d + tx] = r23 - r13;
                        v[12 * stride + d + tx] = r10 - r30;
                        v[13 * stride + d + tx] = r11 - r31;
                        v[14 * stride + d + tx] = r12 - r32;
                        v[15 * stride + d + tx] = r13 - r33;
                    }
                }
            }
        });
    }

    /**
     * {@code y = A^T M A (+ bias)} for every (image, filter, tile), with
     * {@code A^T = [[1,1,1,0], [0,1,-1,-1]]}, cropped to the output size; position xi's block of M
     * starts at {@code mOff + xi * stride}; with {@code relu}, {@code max(v, 0)} of each. mm not
     * modified; y modified (every output element of the images written).
     */
    static void transformOutput(float[] mm, int mOff, int stride, int image0, int images, int ty0, int ty1, int m, Window2d g,
            float[] bias, boolean relu, float[] y) {
        int tilesX = (g.ow() + 1) / 2;
        int tiles = (ty1 - ty0) * tilesX;
        int p = images * tiles;
        int oh = g.oh();
        int ow = g.ow();
        Parallel.forRange(images * m, Math.max(1, 4096 / Math.max(1, tiles)), (from, to) -> {
            // The column sums of A^T M per tile: s[(i*4 + b)*tiles + f] for output row i, tile
            // column b, tile f (row-major). A plane's tiles are consecutive in M, so they go as one
            // run across tile rows: a 7-pixel map has 4 tiles a row, 16 in all.
            float[] s = new float[2 * 4 * tiles];
            for (int task = from; task < to; task++) {
                int img = task / m;
                int k = task % m;
                float bv = bias == null ? 0f : bias[k];
                int plane = ((image0 + img) * m + k) * oh * ow;
                int src = mOff + k * p + img * tiles;
                int done = Gemm.SIMD ? SimdWinograd.outputTiles(mm, src, stride, s, tiles) : 0;
                for (int b = 0; b < 4; b++) {
                    int m0 = b * stride + src;
                    int m1 = (4 + b) * stride + src;
                    int m2 = (8 + b) * stride + src;
                    int m3 = (12 + b) * stride + src;
                    int s0 = b * tiles;
                    int s1 = (4 + b) * tiles;
                    for (int f = done; f < tiles; f++) {
                        float a1 = mm[m1 + f];
                        float a2 = mm[m2 + f];
                        s[s0 + f] = mm[m0 + f] + a1 + a2;
                        s[s1 + f] = a1 - a2 - mm[m3 + f];
                    }
                }
                for (int ty = ty0; ty < ty1; ty++) {
                    for (int i = 0; i < 2; i++) {
                        int yy = 2 * ty + i;
                        if (yy >= oh) {
                            break;
                        }
                        int row = plane + yy * ow;
                        int sb = i * 4 * tiles + (ty - ty0) * tilesX;
                        for (int tx = 0; tx < tilesX; tx++) {
                            float b0 = s[sb + tx];
                            float b1 = s[sb + tiles + tx];
                            float b2 = s[sb + 2 * tiles + tx];
                            float b3 = s[sb + 3 * tiles + tx];
                            int xx = 2 * tx;
                            float v0 = b0 + b1 + b2 + bv;
                            y[row + xx] = relu ? Math.max(v0, 0f) : v0;
                            if (xx + 1 < ow) {
                                float v1 = b1 - b2 - b3 + bv;
                                y[row + xx + 1] = relu ? Math.max(v1, 0f) : v1;
                            }
                        }
                    }
                }
            }
        });
    }
}
