package dev.loupe.engine;

import java.util.Arrays;

/**
 * A graph input or output: its name and declared shape, where {@code -1} marks a dynamic
 * dimension (such as a symbolic batch axis) and {@code dimNames} keeps the symbolic names.
 * A {@code null} shape means the model does not declare one.
 */
public record ValueInfo(String name, int[] shape, String[] dimNames) {
    public ValueInfo {
        shape = shape == null ? null : shape.clone();
        dimNames = dimNames == null ? null : dimNames.clone();
    }

    public static ValueInfo of(String name, int... shape) {
        return new ValueInfo(name, shape, null);
    }

    /** Whether a concrete shape fits the declaration. */
    public boolean accepts(int[] actual) {
        if (shape == null) {
            return true;
        }
        if (actual.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && shape[i] != actual[i]) {
                return false;
            }
        }
        return true;
    }

    /** The declared shape for people, e.g. {@code [batch, 3, 224, 224]}. */
    public String shapeText() {
        if (shape == null) {
            return "[unknown]";
        }
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                b.append(", ");
            }
            if (shape[i] >= 0) {
                b.append(shape[i]);
            } else {
                b.append(dimNames != null && dimNames[i] != null && !dimNames[i].isEmpty() ? dimNames[i] : "?");
            }
        }
        return b.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueInfo v && v.name.equals(name) && Arrays.equals(v.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + shapeText();
    }
}
