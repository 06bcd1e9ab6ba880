package dev.loupe.engine.ops;

import dev.loupe.engine.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A node's attributes as ONNX defines them, independent of any file format: integers are
 * {@code Long}, lists are {@code long[]}/{@code float[]}/{@code String[]}, tensors are {@link Tensor}.
 */
public final class Attributes {
    private final Map<String, Object> values;

    public Attributes(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Attributes empty() {
        return new Attributes(Map.of());
    }

    public static Attributes of(Object... nameValuePairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            Object v = nameValuePairs[i + 1];
            if (v instanceof Integer x) {
                v = (long) x;
            } else if (v instanceof Double x) {
                v = (float) (double) x;
            } else if (v instanceof int[] x) {
                long[] l = new long[x.length];
                for (int k = 0; k < x.length; k++) {
                    l[k] = x[k];
                }
                v = l;
            }
            m.put((String) nameValuePairs[i], v);
        }
        return new Attributes(m);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Set<String> names() {
        return values.keySet();
    }

    public Object raw(String name) {
        return values.get(name);
    }

    public long getLong(String name, long fallback) {
        Object v = values.get(name);
        return v == null ? fallback : ((Number) v).longValue();
    }

    public int getInt(String name, int fallback) {
        return Math.toIntExact(getLong(name, fallback));
    }

    public float getFloat(String name, float fallback) {
        Object v = values.get(name);
        return v == null ? fallback : ((Number) v).floatValue();
    }

    public String getString(String name, String fallback) {
        Object v = values.get(name);
        return v == null ? fallback : (String) v;
    }

    /** An integer list as int[], or {@code fallback} (may be null) when absent. */
    public int[] getInts(String name, int[] fallback) {
        Object v = values.get(name);
        if (v == null) {
            return fallback;
        }
        long[] l = (long[]) v;
        int[] r = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            r[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, l[i]));
        }
        return r;
    }

    public float[] getFloats(String name, float[] fallback) {
        Object v = values.get(name);
        return v == null ? fallback : (float[]) v;
    }

    public Tensor getTensor(String name) {
        return (Tensor) values.get(name);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
