package dev.loupe.engine.kernels;

/**
 * The input gradient of a convolution whose input has few channels: the first layer of an image
 * model, over RGB or grey pixels. Every saliency-style explanation ends with it.
 *
 * <p>The general path multiplies the transposed weights by the output gradient into a column
 * matrix and folds that into the image (col2im). With three input channels the column matrix of
 * a 224x224 ResNet is 147 rows by 12544 columns: 7.4 MB written and read back to produce 0.6 MB.
 * Here each input row is summed straight from the output gradient instead, one phase of the
 * stride at a time, so that the output gradient is read in whole vectors (see
 * {@link SimdFewChannelGrad}).
 *
 * <p>Only with the Vector API; the callers keep the general path otherwise.
 */
public final class FewChannelGrad {
    /** Most input channels this path takes: the kernel holds three channels' sums in registers. */
    public static final int MAX_CHANNELS = 3;

    private static final boolean ENABLED = !"false".equals(System.getProperty("loupe.few-channel-grad"));

    private FewChannelGrad() {
    }

    /**
     * Whether {@link #backwardData} takes a convolution of this geometry with c input channels
     * and this group count: ungrouped, undilated, at most {@link #MAX_CHANNELS} channels, with the
     * Vector API present ({@code -Dloupe.few-channel-grad=false} turns it off).
     */
    public static boolean applies(Window2d g, int c, int group) {
        return ENABLED && Gemm.SIMD && group == 1 && c >= 1 && c <= MAX_CHANNELS && g.dh() == 1 && g.dw() == 1;
    }

    /**
     * {@code gx = dL/dx} for n images given {@code gy = dL/dy} ({@code [n, m, oh, ow]}) of the
     * convolution with weights w ({@code [m, c, kh, kw]}) and geometry g, where {@link #applies}
     * holds. gy and w not modified; gx modified (every element written).
     */
    public static void backwardData(float[] gy, int n, int c, int m, float[] w, Window2d g, float[] gx) {
        if (!applies(g, c, 1)) {
            throw new IllegalArgumentException("FewChannelGrad takes ungrouped, undilated convolutions of 1 to "
                    + MAX_CHANNELS + " input channels with the Vector API, got " + c + " channels, " + g);
        }
        SimdFewChannelGrad.backwardData(gy, n, c, m, w, g, gx);
    }
}
