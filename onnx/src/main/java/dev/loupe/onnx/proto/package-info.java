/**
 * Protobuf messages for ONNX files, generated at build time from {@code src/main/proto/onnx.proto}
 * (our own subset of the format, with ONNX's field numbers). Only the importer and tests use them.
 */
package dev.loupe.onnx.proto;
