/**
 * Numeric kernels as static methods on {@code float[]} with explicit outputs: GEMM, im2col/col2im,
 * pooling, depthwise convolution. Ops call these and nothing else does heavy arithmetic, so a kernel
 * can be replaced without touching the ops. Each method's javadoc says which arrays it modifies.
 *
 * <p>A convolution is a GEMM whose B operand is never stored: {@link dev.loupe.engine.kernels.Gemm.PanelSource}
 * lets im2col write straight into the panels the Vector API kernel reads, as shifted contiguous
 * runs of the input ({@link dev.loupe.engine.kernels.Im2col#packShifted}, strided convolutions after
 * a phase split). Weights are packed once per array and kept while the array lives; whoever
 * changes weights in place calls {@link dev.loupe.engine.kernels.Gemm#forgetPacked}. Without the
 * incubator module every kernel falls back to plain Java.
 *
 * <p>3x3 stride-1 convolutions with at least 64 input and output channels (forward, and the input
 * gradient, which is such a convolution too) run by Winograd's F(2x2, 3x3),
 * {@link dev.loupe.engine.kernels.Winograd}: 2.25x fewer multiplies, equal to the direct sum up to
 * float rounding but not bit for bit; batches with 16 or more 4x4 output tiles run by F(4x4, 3x3),
 * {@link dev.loupe.engine.kernels.Winograd4}: 4x fewer multiplies, a few times the rounding error.
 * {@code -Dloupe.winograd=false} turns both off.
 */
package dev.loupe.engine.kernels;
