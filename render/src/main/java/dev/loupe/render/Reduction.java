package dev.loupe.render;

import dev.loupe.engine.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * How a per-channel attribution becomes one value per pixel.
 * <ul>
 *   <li>{@code max-abs}: max over channels of |a|, the classic saliency picture (Simonyan et al.);</li>
 *   <li>{@code sum}: |sum over channels|, as Captum draws absolute attributions;</li>
 *   <li>{@code signed-sum}: sum over channels, keeping the sign, for diverging colour maps;</li>
 *   <li>{@code mean}: signed mean over channels, for maps that repeat one value per channel (occlusion),
 *       so explicit ranges keep their meaning.</li>
 * </ul>
 */
public enum Reduction {
    MAX_ABS("max-abs"), SUM("sum"), SIGNED_SUM("signed-sum"), MEAN("mean");

    private final String id;

    Reduction(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public boolean signed() {
        return this == SIGNED_SUM || this == MEAN;
    }

    public static Reduction parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Reduction r : values()) {
            if (r.id.equals(k)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown channel reduction '" + s + "'; use max-abs, sum, signed-sum or mean");
    }

    /**
     * Reduces item {@code item} of an attribution shaped {@code [N, C, H, W]}, {@code [C, H, W]}
     * or {@code [H, W]} (the last is returned as is) to a map.
     */
    public Heatmap apply(Tensor attribution, int item) {
        int[] s = attribution.shape();
        int c;
        int h;
        int w;
        int off;
        switch (s.length) {
            case 2 -> {
                c = 1;
                h = s[0];
                w = s[1];
                off = 0;
            }
            case 3 -> {
                c = s[0];
                h = s[1];
                w = s[2];
                off = 0;
            }
            case 4 -> {
                c = s[1];
                h = s[2];
                w = s[3];
                if (item < 0 || item >= s[0]) {
                    throw new IllegalArgumentException("item " + item + " outside a batch of " + s[0]);
                }
                off = item * c * h * w;
            }
            default -> throw new IllegalArgumentException("cannot draw an attribution of shape " + Arrays.toString(s)
                    + "; expected [N, C, H, W], [C, H, W] or [H, W]");
        }
        float[] d = attribution.data();
        int plane = h * w;
        float[] out = new float[plane];
        for (int i = 0; i < plane; i++) {
            float acc = 0f;
            for (int k = 0; k < c; k++) {
                float v = d[off + k * plane + i];
                acc = this == MAX_ABS ? Math.max(acc, Math.abs(v)) : acc + v;
            }
            out[i] = this == SUM ? Math.abs(acc) : this == MEAN ? acc / c : acc;
        }
        return new Heatmap(w, h, out);
    }
}
