/** Benchmarks that time Loupe beside ONNX Runtime in the same JVM run. */
package dev.loupe.bench;
