/** Comparing attribution maps, for example to measure how class-discriminative a method is. */
package dev.loupe.explain.compare;
