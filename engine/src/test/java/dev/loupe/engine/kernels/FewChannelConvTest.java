package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FewChannelConvTest {
    /** A plain convolution in double, straight from its definition, then bias and ReLU. */
    private static double[] naive(float[] x, int n, int c, int m, float[] w, float[] bias, boolean relu, Window2d g) {
        double[] y = new double[n * m * g.outPlane()];
        for (int img = 0; img < n; img++) {
            for (int mi = 0; mi < m; mi++) {
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        double s = bias == null ? 0 : bias[mi];
                        for (int ci = 0; ci < c; ci++) {
                            for (int ky = 0; ky < g.kh(); ky++) {
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int iy = oy * g.sh() - g.padTop() + ky;
                                    int ix = ox * g.sw() - g.padLeft() + kx;
                                    if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                                        s += (double) x[((img * c + ci) * g.h() + iy) * g.w() + ix]
                                                * w[((mi * c + ci) * g.kh() + ky) * g.kw() + kx];
                                    }
                                }
                            }
                        }
                        y[((img * m + mi) * g.oh() + oy) * g.ow() + ox] = relu ? Math.max(s, 0) : s;
                    }
                }
            }
        }
        return y;
    }

    /**
     * Against the definition: a ResNet stem (7x7, stride 2, pad 3, rows of one whole tile), rows
     * narrower than a tile and rows that end on an overlapping tile, strides 1 and 3, a 1x1 and a
     * non-square kernel, asymmetric pads and pads beyond the kernel, an odd number of filters
     * (the tile's second channel unused), one and two channels, bias or none, ReLU or none,
     * several images.
     */
    @Test
    void matchesTheDefinition() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Gemm.SIMD, "a Vector API kernel; off under loupe.simd=false");
        Random rnd = new Random(11);
        int t = SimdFewChannelConv.TILE_COLUMNS;
        int[][] cases = {
            // n, c, h, w, m, kh, kw, sh, sw, pads (top, left, bottom, right), bias, relu
            {1, 3, 2 * t, 2 * t, 16, 7, 7, 2, 2, 3, 3, 3, 3, 1, 0},
            {2, 3, 9, t * 3 / 4 + 1, 7, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1},
            {1, 2, 11, 3 * t + 5, 5, 5, 3, 3, 3, 2, 0, 1, 2, 1, 1},
            {1, 1, 6, t + 9, 4, 1, 1, 2, 1, 0, 0, 0, 0, 0, 0},
            {3, 3, 8, 2 * t - 3, 6, 3, 4, 2, 1, 0, 2, 4, 1, 1, 0},
            {1, 3, 5, t, 3, 3, 3, 1, 1, 4, 4, 4, 4, 1, 1},
        };
        for (int[] k : cases) {
            int n = k[0];
            int c = k[1];
            int m = k[4];
            boolean relu = k[14] == 1;
            Window2d g = Window2d.of(k[2], k[3], k[5], k[6], k[7], k[8], 1, 1, k[9], k[10], k[11], k[12], false);
            assertTrue(FewChannelConv.applies(g, c, 1), "vector module and geometry: " + g);
            float[] x = random(rnd, n * c * g.inPlane());
            float[] w = random(rnd, m * c * g.kh() * g.kw());
            float[] bias = k[13] == 1 ? random(rnd, m) : null;
            float[] y = new float[n * m * g.outPlane()];
            Arrays.fill(y, Float.NaN);
            FewChannelConv.forward(x, n, c, m, w, bias, relu, g, y);
            double[] want = naive(x, n, c, m, w, bias, relu, g);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], y[i], 1e-5 * c * g.kh() * g.kw(), "case " + Arrays.toString(k) + " at " + i);
            }
        }
    }

    private static float[] random(Random rnd, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    @Test
    void takesOnlyFewChannelsUngroupedUndilatedAndWideRows() {
        int wide = SimdFewChannelConv.TILE_COLUMNS;
        Window2d g = Window2d.of(8, wide, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
        Window2d dilated = Window2d.of(8, wide, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, false);
        Window2d narrow = Window2d.of(8, FewChannelConv.MIN_WIDTH - 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
        // Only with the Vector API: the scalar kernels take every shape through im2col.
        assertEquals(Gemm.SIMD, FewChannelConv.applies(g, 3, 1));
        assertFalse(FewChannelConv.applies(g, 4, 1));
        assertFalse(FewChannelConv.applies(g, 3, 3));
        assertFalse(FewChannelConv.applies(dilated, 3, 1));
        assertFalse(FewChannelConv.applies(narrow, 3, 1));
        assertThrows(IllegalArgumentException.class,
                () -> FewChannelConv.forward(new float[4 * 8 * wide], 1, 4, 1, new float[36], null, false, g, new float[8 * wide]));
    }
}
