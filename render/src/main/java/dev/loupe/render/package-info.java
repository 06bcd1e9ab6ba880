/**
 * Turning attributions into pictures: channel reduction, normalisation, colour maps, overlays,
 * labelled panels and atomic PNG output. Render never computes a gradient; it only draws tensors.
 */
package dev.loupe.render;
