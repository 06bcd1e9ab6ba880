/** File formats the engine reads and writes itself (.npy) and atomic writes. */
package dev.loupe.engine.io;
