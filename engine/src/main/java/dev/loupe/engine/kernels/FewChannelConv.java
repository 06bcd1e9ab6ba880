package dev.loupe.engine.kernels;

/**
 * The forward pass of a convolution whose input has few channels: the first layer of an image
 * model, over RGB or grey pixels, computed directly rather than through im2col and the GEMM.
 *
 * <p>With three input channels and a 7x7 kernel the GEMM's depth is 147 and its packed columns
 * are a fresh im2col of the image (7.4 MB for a 224x224 ResNet stem) for a product of only 64
 * rows. Here each output row is summed straight from the input, split once into stride phases so
 * that every tap reads consecutive columns in whole vectors (see {@link SimdFewChannelConv}).
 *
 * <p>Only with the Vector API, and only where output rows fill most of the kernel's register tile
 * ({@link #MIN_WIDTH} columns and up); the callers keep the GEMM otherwise.
 */
public final class FewChannelConv {
    /** Most input channels this path takes, as for {@link FewChannelGrad}. */
    public static final int MAX_CHANNELS = FewChannelGrad.MAX_CHANNELS;

    /** Narrowest output row this path takes: three quarters of the register tile's width. */
    public static final int MIN_WIDTH = Gemm.SIMD ? SimdFewChannelConv.TILE_COLUMNS * 3 / 4 : Integer.MAX_VALUE;

    private static final boolean ENABLED = !"false".equals(System.getProperty("loupe.few-channel-conv"));

    private FewChannelConv() {
    }

    /**
     * Whether {@link #forward} takes a convolution of this geometry with c input channels and this
     * group count: ungrouped, undilated, at most {@link #MAX_CHANNELS} channels, output rows of at
     * least {@link #MIN_WIDTH} columns, with the Vector API present
     * ({@code -Dloupe.few-channel-conv=false} turns it off).
     */
    public static boolean applies(Window2d g, int c, int group) {
        return ENABLED && Gemm.SIMD && group == 1 && c >= 1 && c <= MAX_CHANNELS && g.dh() == 1 && g.dw() == 1
                && g.ow() >= MIN_WIDTH;
    }

    /**
     * {@code y = conv(x, w) (+ bias)}, then {@code max(., 0)} when relu, for n images x
     * ({@code [n, c, h, w]}) and weights w ({@code [m, c, kh, kw]}) of geometry g, where
     * {@link #applies} holds. x, w and bias not modified; y ({@code [n, m, oh, ow]}) modified (every
     * element written). bias may be null.
     */
    public static void forward(float[] x, int n, int c, int m, float[] w, float[] bias, boolean relu, Window2d g, float[] y) {
        if (!applies(g, c, 1)) {
            throw new IllegalArgumentException("FewChannelConv takes ungrouped, undilated convolutions of 1 to " + MAX_CHANNELS
                    + " input channels and rows of at least " + MIN_WIDTH + " columns with the Vector API, got " + c
                    + " channels, " + g);
        }
        SimdFewChannelConv.forward(x, n, c, m, w, bias, relu, g, y);
    }
}
