/** Pictures in and out: image loading and preprocessing, colour maps, overlays and grids. */
package dev.loupe.render;
