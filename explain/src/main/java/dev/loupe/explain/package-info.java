/** Explanation methods: backward rules, composites and attributors, organised by technique and level. */
package dev.loupe.explain;
