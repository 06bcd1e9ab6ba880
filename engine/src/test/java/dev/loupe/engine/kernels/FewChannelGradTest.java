package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FewChannelGradTest {
    /** dL/dx of a plain convolution in double, scattering each output gradient over its window. */
    private static double[] naive(float[] gy, int n, int c, int m, float[] w, Window2d g) {
        double[] gx = new double[n * c * g.h() * g.w()];
        for (int img = 0; img < n; img++) {
            for (int mi = 0; mi < m; mi++) {
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        double d = gy[((img * m + mi) * g.oh() + oy) * g.ow() + ox];
                        for (int ci = 0; ci < c; ci++) {
                            for (int ky = 0; ky < g.kh(); ky++) {
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int iy = oy * g.sh() - g.padTop() + ky;
                                    int ix = ox * g.sw() - g.padLeft() + kx;
                                    if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                                        gx[((img * c + ci) * g.h() + iy) * g.w() + ix] +=
                                                d * w[((mi * c + ci) * g.kh() + ky) * g.kw() + kx];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return gx;
    }

    /**
     * Against the definition: a ResNet stem (7x7, stride 2, pad 3), strides 1 and 3, a 1x1 and a
     * non-square kernel, asymmetric pads, pads beyond the kernel, widths that leave partial
     * tiles and phases with fewer columns, one and two channels (unused slots), several images,
     * and rows wide enough for the wide tile.
     */
    @Test
    void matchesTheDefinition() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Gemm.SIMD, "a Vector API kernel; off under loupe.simd=false");
        Random rnd = new Random(5);
        int[][] cases = {
            // n, c, h, w, m, kh, kw, sh, sw, pads (top, left, bottom, right)
            {1, 3, 40, 40, 16, 7, 7, 2, 2, 3, 3, 3, 3},
            {2, 3, 13, 17, 8, 3, 3, 1, 1, 1, 1, 1, 1},
            {1, 2, 11, 70, 5, 5, 3, 3, 3, 2, 0, 1, 2},
            {1, 1, 9, 9, 4, 1, 1, 2, 2, 0, 0, 0, 0},
            {3, 3, 8, 33, 6, 3, 4, 2, 1, 0, 2, 4, 1},
            {1, 3, 5, 5, 3, 3, 3, 1, 2, 4, 4, 4, 4},
            // Wide tiles: a 7x7 stride-2 stem whose phases are one wide tile each, a stride-1 row
            // that ends on an overlapping wide tile, and stride 2 with phases one column apart
            // where only the longer phase reaches the wide tile's width.
            {1, 3, 6, 2 * SimdFewChannelGrad.QW, 8, 7, 7, 2, 2, 3, 3, 3, 3},
            {1, 2, 4, SimdFewChannelGrad.QW + 9, 5, 3, 3, 1, 1, 1, 1, 1, 1},
            {1, 3, 5, 2 * SimdFewChannelGrad.QW - 1, 4, 3, 3, 2, 2, 1, 1, 1, 1},
        };
        for (int[] k : cases) {
            int n = k[0];
            int c = k[1];
            int m = k[4];
            Window2d g = Window2d.of(k[2], k[3], k[5], k[6], k[7], k[8], 1, 1, k[9], k[10], k[11], k[12], false);
            assertTrue(FewChannelGrad.applies(g, c, 1), "vector module and geometry: " + g);
            float[] gy = new float[n * m * g.outPlane()];
            for (int i = 0; i < gy.length; i++) {
                gy[i] = rnd.nextFloat() * 2 - 1;
            }
            float[] w = new float[m * c * g.kh() * g.kw()];
            for (int i = 0; i < w.length; i++) {
                w[i] = rnd.nextFloat() * 2 - 1;
            }
            float[] gx = new float[n * c * g.inPlane()];
            Arrays.fill(gx, Float.NaN);
            FewChannelGrad.backwardData(gy, n, c, m, w, g, gx);
            double[] want = naive(gy, n, c, m, w, g);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], gx[i], 1e-5 * m * g.kh() * g.kw(), "case " + Arrays.toString(k) + " at " + i);
            }
        }
    }

    @Test
    void takesOnlyFewChannelsUngroupedAndUndilated() {
        Window2d g = Window2d.of(8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false);
        Window2d dilated = Window2d.of(8, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, false);
        assertFalse(FewChannelGrad.applies(g, 4, 1));
        assertFalse(FewChannelGrad.applies(g, 3, 3));
        assertFalse(FewChannelGrad.applies(dilated, 3, 1));
        assertThrows(IllegalArgumentException.class,
                () -> FewChannelGrad.backwardData(new float[64], 1, 4, 1, new float[36], g, new float[256]));
    }
}
