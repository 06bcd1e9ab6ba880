/**
 * Images in: decoding photos with ImageIO, resampling like PIL/torchvision, preprocessing presets
 * that turn photos into NCHW tensors and remember where the crop came from.
 */
package dev.loupe.render.image;
