/**
 * Test helpers other modules may reuse through the test-jar: {@link dev.loupe.onnx.testing.OnnxBuilder}
 * writes small ONNX models with the generated protobuf builders, {@link dev.loupe.onnx.testing.OrtOracle}
 * runs them in ONNX Runtime as an independent reference, {@link dev.loupe.onnx.testing.Shared} finds
 * the shared fixtures and {@link dev.loupe.onnx.testing.Compare} checks tensors against references.
 */
package dev.loupe.onnx.testing;
