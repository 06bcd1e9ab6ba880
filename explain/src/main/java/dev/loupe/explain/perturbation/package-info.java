/** Perturbation-based attribution: occlusion with configurable windows and fills, evaluated in batches. */
package dev.loupe.explain.perturbation;
