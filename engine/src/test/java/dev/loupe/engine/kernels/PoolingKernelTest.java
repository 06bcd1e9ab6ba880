package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Max pooling (with its interior fast path) against a naive reference: values and switches. */
class PoolingKernelTest {
    @Test
    void maxPoolMatchesReferenceOnRandomGeometry() {
        Random r = new Random(5);
        for (int trial = 0; trial < 300; trial++) {
            int h = 1 + r.nextInt(13);
            // Rows of 16 outputs and more take the phase-split row pass.
            int w = r.nextBoolean() ? 1 + r.nextInt(13) : 32 + r.nextInt(60);
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int sh = 1 + r.nextInt(3);
            int sw = 1 + r.nextInt(3);
            int dh = 1 + r.nextInt(2);
            int dw = 1 + r.nextInt(2);
            int[] pad = {r.nextInt(kh), r.nextInt(kw), r.nextInt(kh), r.nextInt(kw)};
            boolean ceil = r.nextBoolean();
            Window2d g;
            try {
                g = Window2d.of(h, w, kh, kw, sh, sw, dh, dw, pad[0], pad[1], pad[2], pad[3], ceil);
            } catch (RuntimeException e) {
                continue; // kernel larger than the padded input
            }
            int planes = 1 + r.nextInt(3);
            float[] x = new float[planes * h * w];
            for (int i = 0; i < x.length; i++) {
                // Few distinct values, so ties are common; an occasional NaN or -inf.
                int pick = r.nextInt(40);
                x[i] = pick == 0 ? Float.NaN : pick == 1 ? Float.NEGATIVE_INFINITY : r.nextInt(5) - 2;
            }
            float[] y = new float[planes * g.outPlane()];
            int[] s = new int[y.length];
            Pooling.maxPool(x, planes, g, y, s);
            float[] yr = new float[y.length];
            int[] sr = new int[y.length];
            reference(x, planes, g, yr, sr);
            assertArrayEquals(sr, s, "switches, trial " + trial + " " + g);
            assertArrayEquals(yr, y, "values, trial " + trial + " " + g);
        }
    }

    /** The running maximum of max pooling is Math.max lane for lane: NaN wins, +0 beats -0, vector body and tail alike. */
    @Test
    void runningMaximumIsMathMax() {
        float[] values = {0f, -0f, Float.NaN, 1f, -1f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        int n = values.length * values.length * 3 + 5;
        float[] acc = new float[n + 2];
        float[] src = new float[n + 1];
        for (int i = 0; i < n; i++) {
            acc[i + 2] = values[(i / values.length) % values.length];
            src[i + 1] = values[i % values.length];
        }
        float[] want = acc.clone();
        for (int i = 0; i < n; i++) {
            want[i + 2] = Math.max(acc[i + 2], src[i + 1]);
        }
        Pooling.maxInto(acc, 2, src, 1, n);
        assertArrayEquals(want, acc);
    }

    private static void reference(float[] x, int planes, Window2d g, float[] y, int[] s) {
        int o = 0;
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++, o++) {
                    float best = Pooling.EMPTY_MAX;
                    int arg = -1;
                    for (int ki = 0; ki < g.kh(); ki++) {
                        for (int kj = 0; kj < g.kw(); kj++) {
                            int iy = oy * g.sh() - g.padTop() + ki * g.dh();
                            int ix = ox * g.sw() - g.padLeft() + kj * g.dw();
                            if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) {
                                continue;
                            }
                            int idx = p * g.inPlane() + iy * g.w() + ix;
                            float v = x[idx];
                            if (arg < 0 || v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                                best = v;
                                arg = idx;
                            }
                        }
                    }
                    y[o] = best;
                    s[o] = arg;
                }
            }
        }
    }
}
