/**
 * Training on the engine's own forward and backward passes: {@link dev.loupe.engine.train.ModelBuilder}
 * builds a classifier with initialised weights, {@link dev.loupe.engine.train.Trainer} runs shuffled
 * mini-batches of {@link dev.loupe.engine.train.SoftmaxCrossEntropy} with an
 * {@link dev.loupe.engine.train.Optimizer} ({@link dev.loupe.engine.train.Adam},
 * {@link dev.loupe.engine.train.Sgd}) and updates the graph's constants in place.
 *
 * <p>Weight gradients come from {@code Trace.backward} with the weights' names as {@code wrt}
 * targets; explanation passes, which target the image or an activation, never compute them.
 */
package dev.loupe.engine.train;
