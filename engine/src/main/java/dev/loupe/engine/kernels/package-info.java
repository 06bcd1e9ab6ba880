/**
 * Numeric kernels as static methods on {@code float[]} with explicit outputs: GEMM, im2col/col2im,
 * pooling, depthwise convolution. Ops call these and nothing else does heavy arithmetic, so a kernel
 * can be replaced (for example by a Vector-API GEMM) without touching the ops. Each method's javadoc
 * says which arrays it modifies.
 */
package dev.loupe.engine.kernels;
