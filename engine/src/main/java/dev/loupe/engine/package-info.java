/**
 * The engine: float32 tensors, graphs of ops, the executor that records a forward {@link dev.loupe.engine.Trace}
 * and runs backward passes from it, and the {@link dev.loupe.engine.BackwardRule} seam that explanation
 * methods plug into. It knows no explanation method and has no dependencies.
 *
 * <p>Memory: ops take their output arrays from {@link dev.loupe.engine.Buffers}, which inside a
 * recycling scope hands back arrays released by earlier passes on the same thread; forward-only
 * {@link dev.loupe.engine.Executor#evaluate evaluation} releases each activation after its last
 * use and lets ops that implement {@link dev.loupe.engine.FusesRelu} apply a following ReLU.
 *
 * <p>Profiling: while a {@link dev.loupe.engine.NodeTimes} recording is open, the executor and the
 * backward pass time every node they run.
 */
package dev.loupe.engine;
