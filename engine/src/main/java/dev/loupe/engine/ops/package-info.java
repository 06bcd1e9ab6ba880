/** One class per op, forward and backward side by side, and the factory that builds them from ONNX op types. */
package dev.loupe.engine.ops;
