package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.loupe.engine.testing.GradCheck;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link DepthwiseConv#forward} equals, bit for bit, the plain definition summed tap by
 * tap in the same order: bias first, then {@code + w * x} for each (ki, kj) whose input is inside
 * the image. Agreement with a double-precision convolution is in ConvTest.
 */
class DepthwiseConvTest {
    private static float[] tapByTap(float[] x, int n, int channels, int multiplier, Window2d g, float[] w, float[] bias) {
        int outC = channels * multiplier;
        float[] y = new float[n * outC * g.outPlane()];
        for (int img = 0; img < n; img++) {
            for (int oc = 0; oc < outC; oc++) {
                int xPlane = (img * channels + oc / multiplier) * g.inPlane();
                int yPlane = (img * outC + oc) * g.outPlane();
                for (int o = 0; o < g.outPlane(); o++) {
                    y[yPlane + o] = bias == null ? 0f : bias[oc];
                }
                for (int ki = 0; ki < g.kh(); ki++) {
                    for (int kj = 0; kj < g.kw(); kj++) {
                        float wv = w[(oc * g.kh() + ki) * g.kw() + kj];
                        for (int oy = 0; oy < g.oh(); oy++) {
                            for (int ox = 0; ox < g.ow(); ox++) {
                                int iy = oy * g.sh() - g.padTop() + ki * g.dh();
                                int ix = ox * g.sw() - g.padLeft() + kj * g.dw();
                                if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                                    y[yPlane + oy * g.ow() + ox] += wv * x[xPlane + iy * g.w() + ix];
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    @Test
    void equalsTheDefinitionSummedTapByTapExactly() {
        Random rnd = new Random(21);
        int[][] cases = {
            // n, channels, multiplier, h, w, k, stride, dilation, pads (t, l, b, r), bias
            {1, 4, 1, 30, 37, 3, 1, 1, 1, 1, 1, 1, 1},
            {2, 3, 2, 33, 64, 3, 2, 1, 1, 1, 1, 1, 0},
            {1, 2, 1, 20, 41, 5, 3, 1, 2, 0, 1, 2, 1},
            {1, 2, 1, 19, 45, 3, 2, 2, 0, 2, 2, 0, 1},
            {1, 3, 1, 12, 18, 3, 1, 1, 0, 0, 0, 0, 0},
        };
        for (int[] k : cases) {
            int n = k[0];
            int channels = k[1];
            int multiplier = k[2];
            Window2d g = Window2d.of(k[3], k[4], k[5], k[5], k[6], k[6], k[7], k[7], k[8], k[9], k[10], k[11], false);
            float[] x = GradCheck.random(rnd, n * channels * k[3] * k[4]).data();
            float[] w = GradCheck.random(rnd, channels * multiplier * k[5] * k[5]).data();
            float[] bias = k[12] == 1 ? GradCheck.random(rnd, channels * multiplier).data() : null;
            float[] y = new float[n * channels * multiplier * g.outPlane()];
            DepthwiseConv.forward(x, n, channels, multiplier, g, w, bias, y);
            assertArrayEquals(tapByTap(x, n, channels, multiplier, g, w, bias), y, java.util.Arrays.toString(k));
        }
    }
}
