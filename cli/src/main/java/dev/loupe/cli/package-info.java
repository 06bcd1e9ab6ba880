/**
 * The {@code loupe} command line: picocli commands that parse flags, call the onnx, explain and
 * render APIs, and print. Errors become one {@code loupe: error: ...} line and an exit code
 * (2 for usage, 1 for failures).
 */
package dev.loupe.cli;
