/**
 * Gradient-based attribution at input level: saliency, DeconvNet and guided backpropagation (one
 * backward pass each under a rule composite), integrated gradients, and SmoothGrad, which wraps
 * any {@link dev.loupe.explain.Attributor}.
 */
package dev.loupe.explain.gradient;
