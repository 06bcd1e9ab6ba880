package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Im2colTest {
    /**
     * The phase split against its definition: stride 2 with even and odd widths (the vector
     * deinterleave and its odd last column), rows of exactly one vector of pairs, rows too short
     * for it, stride 2 in one direction only, and stride 3 (the scalar copy), with an offset into x.
     */
    @Test
    void phaseSplitMatchesItsDefinition() {
        Random r = new Random(4);
        int l = Gemm.SIMD ? SimdPooling.L : 8;
        int[][] cases = {
            // channels, h, w, sh, sw
            {3, 9, 2 * l + 1, 2, 2}, {2, 8, 4 * l, 2, 2}, {1, 5, 2 * l, 2, 2}, {2, 7, 7, 2, 2},
            {1, 5, 3 * l + 4, 1, 2}, {2, 6, 3 * l + 1, 2, 1}, {1, 7, 20, 3, 3},
        };
        for (int[] c : cases) {
            int channels = c[0];
            Window2d g = Window2d.of(c[1], c[2], 3, 3, c[3], c[4], 1, 1, 1, 1, 1, 1, false);
            int xOff = 5;
            float[] x = new float[xOff + channels * c[1] * c[2]];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextFloat() + 1f;
            }
            float[] out = new float[Im2col.phasedSize(channels, g)];
            java.util.Arrays.fill(out, Float.NaN);
            Im2col.splitPhases2d(x, xOff, channels, g, out);
            int hq = (g.h() + g.sh() - 1) / g.sh();
            int wq = (g.w() + g.sw() - 1) / g.sw();
            int i = 0;
            for (int ci = 0; ci < channels; ci++) {
                for (int ry = 0; ry < g.sh(); ry++) {
                    for (int rx = 0; rx < g.sw(); rx++) {
                        for (int qy = 0; qy < hq; qy++) {
                            for (int qx = 0; qx < wq; qx++, i++) {
                                int iy = ry + g.sh() * qy;
                                int ix = rx + g.sw() * qx;
                                float want = iy < g.h() && ix < g.w() ? x[xOff + (ci * g.h() + iy) * g.w() + ix] : 0f;
                                assertEquals(want, out[i], "case " + java.util.Arrays.toString(c) + " at " + i);
                            }
                        }
                    }
                }
            }
            assertEquals(out.length, i);
        }
    }

    @Test
    void unfoldsPatchesWithZeroPadding() {
        // 1 channel 3x3, kernel 2x2, stride 1, pad 1 on top/left only: 3x3 outputs.
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        Window2d g = Window2d.of(3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, false);
        assertEquals(3, g.oh());
        float[] col = new float[4 * 9];
        Im2col.im2col(x, 0, 1, g, col, 0);
        // Tap (0,0) reads x[oy-1, ox-1]; tap (1,1) reads x[oy, ox].
        float[] tap00 = {0, 0, 0, 0, 1, 2, 0, 4, 5};
        float[] tap11 = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        for (int i = 0; i < 9; i++) {
            assertEquals(tap00[i], col[i]);
            assertEquals(tap11[i], col[27 + i]);
        }
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        Random rnd = new Random(3);
        Window2d[] cases = {
            Window2d.of(7, 6, 3, 3, 2, 1, 1, 2, 1, 0, 2, 1, false),
            Window2d.of(5, 5, 2, 3, 3, 2, 2, 1, 0, 2, 1, 0, false),
            Window2d.of(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false),
            // A first layer's shape (7x7, stride 2, pad 3), small: split into bands of rows.
            Window2d.of(23, 21, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, false),
        };
        for (Window2d g : cases) {
            int ch = 3;
            float[] x = new float[ch * g.inPlane() + 4];
            float[] c = new float[ch * g.kh() * g.kw() * g.outPlane()];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextFloat() - 0.5f;
            }
            for (int i = 0; i < c.length; i++) {
                c[i] = rnd.nextFloat() - 0.5f;
            }
            float[] col = new float[c.length];
            Im2col.im2col(x, 4, ch, g, col, 0);
            float[] back = new float[x.length];
            Im2col.col2im(c, 0, ch, g, back, 4);
            double lhs = 0;
            double rhs = 0;
            for (int i = 0; i < c.length; i++) {
                lhs += (double) col[i] * c[i];
            }
            for (int i = 4; i < x.length; i++) {
                rhs += (double) x[i] * back[i];
            }
            assertEquals(lhs, rhs, 1e-4, g.toString());
            for (int i = 0; i < 4; i++) {
                assertEquals(0f, back[i], "col2im wrote before its offset");
            }
        }
    }

    @Test
    void col2imInBandsOfRowsEqualsTheWholeChannelScatterExactly() {
        Random rnd = new Random(5);
        Window2d[] cases = {
            Window2d.of(23, 21, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, false),
            Window2d.of(40, 9, 3, 2, 3, 1, 2, 1, 1, 0, 2, 1, false),
            Window2d.of(2, 50, 5, 5, 1, 2, 1, 1, 2, 2, 2, 2, false),
        };
        for (Window2d g : cases) {
            for (int ch : new int[] {1, 3, 5}) {
                int taps = g.kh() * g.kw();
                float[] c = new float[ch * taps * g.outPlane()];
                for (int i = 0; i < c.length; i++) {
                    c[i] = rnd.nextFloat() - 0.5f;
                }
                float[] got = new float[ch * g.inPlane()];
                Im2col.col2im(c, 0, ch, g, got, 0);
                // The definition, summed in tap order per channel: what one task per channel did.
                float[] want = new float[got.length];
                for (int k = 0; k < ch; k++) {
                    for (int ki = 0; ki < g.kh(); ki++) {
                        for (int kj = 0; kj < g.kw(); kj++) {
                            int row = (k * taps + ki * g.kw() + kj) * g.outPlane();
                            for (int oy = 0; oy < g.oh(); oy++) {
                                for (int ox = 0; ox < g.ow(); ox++) {
                                    int iy = oy * g.sh() - g.padTop() + ki * g.dh();
                                    int ix = ox * g.sw() - g.padLeft() + kj * g.dw();
                                    if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                                        want[(k * g.h() + iy) * g.w() + ix] += c[row + oy * g.ow() + ox];
                                    }
                                }
                            }
                        }
                    }
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, g + ", " + ch + " channels");
            }
        }
    }

    @Test
    void ceilModeDropsWindowsStartingInEndPadding() {
        assertEquals(3, Window2d.outputSize(5, 2, 2, 1, 0, 0, true));
        assertEquals(2, Window2d.outputSize(5, 2, 2, 1, 0, 0, false));
        // 5 wide, kernel 2, stride 2, pad 1+1: ceil would add a 4th window starting at padded
        // position 6, which is the end pad; PyTorch drops it, so 3 (as floor mode).
        assertEquals(3, Window2d.outputSize(5, 2, 2, 1, 1, 1, true));
        assertEquals(3, Window2d.outputSize(5, 2, 2, 1, 1, 1, false));
    }

    @Test
    void packWritesTheColumnMatrixInPanelLayoutForAnySlabAndColumnRange() {
        Random rnd = new Random(11);
        // h, w, kh, kw, sh, sw, dh, dw, pads (top, left, bottom, right): strides, dilations,
        // asymmetric pads, outputs narrower than a panel and a 1-pixel-wide output.
        int[][] cases = {
            {9, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
            {10, 7, 3, 2, 2, 2, 1, 1, 0, 1, 2, 0},
            {8, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
            {13, 5, 7, 3, 2, 1, 1, 1, 3, 1, 3, 1},
            {6, 6, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
            {5, 1, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0},
            {30, 29, 5, 4, 3, 2, 1, 2, 2, 1, 0, 3},
            // "Same" and strided shapes as in ResNet (the shifted-run path applies to these).
            {12, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
            {11, 11, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3},
            {7, 9, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
            {9, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
            {10, 9, 3, 2, 2, 3, 1, 1, 1, 0, 1, 1},
            // 1x1 without pads, read by the subsampling packer: ResNet's shortcut, odd sizes, stride 3 by 1, stride 1.
            {56, 56, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
            {11, 10, 1, 1, 3, 1, 1, 1, 0, 0, 0, 0},
            {5, 7, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
            // Odd width at stride 2: a vector run ending the last row would read past the array.
            {17, 17, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
        };
        int[] shiftableCases = {0};
        int[] subsampledCases = {0};
        for (int[] c : cases) {
            Window2d g = Window2d.of(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], false);
            int channels = 3;
            int rows = channels * g.kh() * g.kw();
            int np = g.outPlane();
            int xOff = 4;
            float[] x = new float[xOff + channels * g.inPlane()];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextFloat() + 0.5f;
            }
            float[] col = new float[rows * np];
            Im2col.im2col(x, xOff, channels, g, col, 0);
            for (int nr : new int[] {1, 3, 8, 16}) {
                int[][] slabs = {{0, rows}, {1, rows - 1}, {rows / 2, rows - rows / 2}};
                int[][] ranges = {{0, np}, {1, np}, {np / 3, np - np / 4}};
                for (int[] slab : slabs) {
                    for (int[] range : ranges) {
                        int p0 = slab[0];
                        int kc = slab[1];
                        int j0 = range[0];
                        int j1 = range[1];
                        int panels = (j1 - j0 + nr - 1) / nr;
                        float[] dst = new float[panels * nr * kc];
                        java.util.Arrays.fill(dst, Float.NaN);
                        Im2col.pack(x, xOff, g, false, p0, kc, j0, j1, nr, dst);
                        float[] fromSplit = new float[dst.length];
                        java.util.Arrays.fill(fromSplit, Float.NaN);
                        float[] split = new float[channels * g.h() * g.sw() * Im2col.phaseWidth(g)];
                        Im2col.splitPhases(x, xOff, channels, g, split);
                        Im2col.pack(split, 0, g, true, p0, kc, j0, j1, nr, fromSplit);
                        org.junit.jupiter.api.Assertions.assertArrayEquals(dst, fromSplit, "phase-split input, case "
                                + java.util.Arrays.toString(c) + " nr " + nr);
                        if (Im2col.shiftable(g)) {
                            shiftableCases[0]++;
                            float[] shifted = new float[dst.length];
                            java.util.Arrays.fill(shifted, Float.NaN);
                            if (g.sh() > 1 || g.sw() > 1) {
                                float[] phased = new float[Im2col.phasedSize(channels, g)];
                                Im2col.splitPhases2d(x, xOff, channels, g, phased);
                                Im2col.packShifted(phased, 0, g, p0, kc, j0, j1, nr, shifted);
                            } else {
                                Im2col.packShifted(x, xOff, g, p0, kc, j0, j1, nr, shifted);
                            }
                            org.junit.jupiter.api.Assertions.assertArrayEquals(dst, shifted, "shifted runs, case "
                                    + java.util.Arrays.toString(c) + " nr " + nr + " slab " + p0 + "+" + kc + " cols " + j0 + ".." + j1);
                        }
                        if (Im2col.subsampling(g)) {
                                subsampledCases[0]++;
                                float[] sampled = new float[dst.length];
                                java.util.Arrays.fill(sampled, Float.NaN);
                                Im2col.packSubsampled(x, xOff, g, p0, kc, j0, j1, nr, sampled);
                                org.junit.jupiter.api.Assertions.assertArrayEquals(dst, sampled, "subsampled, case "
                                        + java.util.Arrays.toString(c) + " nr " + nr + " slab " + p0 + "+" + kc + " cols " + j0 + ".." + j1);
                        }
                        for (int t = 0; t < panels; t++) {
                            for (int p = 0; p < kc; p++) {
                                for (int q = 0; q < nr; q++) {
                                    int j = j0 + t * nr + q;
                                    float want = j < j1 ? col[(p0 + p) * np + j] : 0f;
                                    assertEquals(want, dst[t * nr * kc + p * nr + q],
                                            "case " + java.util.Arrays.toString(c) + " nr " + nr + " row " + (p0 + p) + " col " + j);
                                }
                            }
                        }
                    }
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(shiftableCases[0] > 100, "shifted path exercised " + shiftableCases[0]);
        org.junit.jupiter.api.Assertions.assertEquals(6 * 4 * 3 * 3, subsampledCases[0], "subsampling path exercised: six 1x1 cases, 4 nr x 3 slabs x 3 ranges each");
    }
}
