package dev.loupe.render;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Colour maps from values in [0, 1] to RGB, as 256-entry lookup tables interpolated linearly
 * between anchor colours. Viridis and inferno use matplotlib's published colours at eleven evenly
 * spaced stops (perceptually uniform, readable in greyscale); the diverging map is blue-white-red
 * (ColorBrewer RdBu) with white exactly at 0.5, so zero of a signed map is white.
 */
public enum ColorMap {
    GRAY("gray", 0x000000, 0xffffff),
    DIVERGING("diverging", 0x2166ac, 0x67a9cf, 0xd1e5f0, 0xffffff, 0xfddbc7, 0xef8a62, 0xb2182b),
    VIRIDIS("viridis", 0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c, 0x22a884, 0x44bf70,
            0x7ad151, 0xbddf26, 0xfde725),
    INFERNO("inferno", 0x000004, 0x160b39, 0x420a68, 0x6a176e, 0x932667, 0xbc3754, 0xdd513a, 0xf37819,
            0xfca50a, 0xf6d746, 0xfcffa4);

    private final String id;
    private final int[] lut = new int[256];

    ColorMap(String id, int... anchors) {
        this.id = id;
        int segments = anchors.length - 1;
        for (int i = 0; i < 256; i++) {
            double pos = i / 255.0 * segments;
            int k = Math.min((int) pos, segments - 1);
            double t = pos - k;
            lut[i] = mix(anchors[k], anchors[k + 1], t);
        }
    }

    private static int mix(int a, int b, double t) {
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - t) + ((b >> 16) & 0xff) * t);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - t) + ((b >> 8) & 0xff) * t);
        int bl = (int) Math.round((a & 0xff) * (1 - t) + (b & 0xff) * t);
        return (r << 16) | (g << 8) | bl;
    }

    /** The name used on the command line. */
    public String id() {
        return id;
    }

    /** The 0xRRGGBB colour of a value in [0, 1]; values outside are clamped, NaN is black. */
    public int rgb(float v) {
        if (Float.isNaN(v)) {
            return 0;
        }
        int i = Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
        return lut[i];
    }

    /** Parses a colour map name ("grey", "gray", "diverging", "bwr", "viridis", "inferno"). */
    public static ColorMap parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        switch (k) {
            case "grey":
            case "greys":
                return GRAY;
            case "bwr":
            case "rdbu":
            case "signed":
                return DIVERGING;
            default:
                for (ColorMap m : values()) {
                    if (m.id.equals(k)) {
                        return m;
                    }
                }
        }
        throw new IllegalArgumentException("unknown colour map '" + s + "'; use "
                + Arrays.stream(values()).map(ColorMap::id).collect(Collectors.joining(", ")));
    }
}
