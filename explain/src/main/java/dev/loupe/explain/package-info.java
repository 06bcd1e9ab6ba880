/**
 * Explanation methods for image classifiers, kept apart like Zennit and Captum keep them: backward
 * rules and composites ({@code rules}), attributors by technique ({@code gradient},
 * {@code perturbation}, {@code cam}), the result record {@link dev.loupe.explain.Attribution}, and the
 * {@link dev.loupe.explain.Explainers} facade the CLI calls.
 */
package dev.loupe.explain;
