/** Reads ONNX model files into engine graphs. */
package dev.loupe.onnx;
