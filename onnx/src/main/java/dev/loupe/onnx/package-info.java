/**
 * Reads ONNX model files into engine graphs: {@link dev.loupe.onnx.OnnxImporter} is the entry
 * point, {@link dev.loupe.onnx.ModelLoadException} the one error type, with messages that say what
 * to do. The protobuf classes are generated from our own {@code onnx.proto} into
 * {@code dev.loupe.onnx.proto}.
 */
package dev.loupe.onnx;
