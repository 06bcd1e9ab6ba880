/**
 * File formats the engine reads and writes itself (.npy, and the IDX files of MNIST-style
 * datasets), atomic writes, and Fashion-MNIST: where it is installed, the bundled 1,000-image test
 * subset, and loading it for training and for the dataset commands.
 */
package dev.loupe.engine.io;
