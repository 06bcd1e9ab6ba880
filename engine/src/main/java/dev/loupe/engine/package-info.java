/**
 * The engine: float32 tensors, graphs of ops, the executor that records a forward {@link dev.loupe.engine.Trace}
 * and runs backward passes from it, and the {@link dev.loupe.engine.BackwardRule} seam that explanation
 * methods plug into. It knows no explanation method and has no dependencies.
 */
package dev.loupe.engine;
