/** Image segmentation for perturbation methods that switch regions on and off: SLIC superpixels. */
package dev.loupe.explain.segmentation;
