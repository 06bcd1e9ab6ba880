/**
 * Class activation maps at a named layer: Grad-CAM, Guided Grad-CAM, the default-layer finder and
 * PyTorch-compatible upsampling.
 */
package dev.loupe.explain.cam;
