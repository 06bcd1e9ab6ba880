/**
 * Backward rules for ReLU (gradient, DeconvNet, guided backpropagation) and the composites that
 * map graph nodes to them. The engine only offers the seam ({@code BackwardRule},
 * {@code RuleComposite}); the names of methods live here.
 */
package dev.loupe.explain.rules;
