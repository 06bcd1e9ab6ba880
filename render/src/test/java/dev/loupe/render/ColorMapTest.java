package dev.loupe.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ColorMapTest {
    @Test
    void endpointsMatchPublishedAnchors() {
        assertEquals(0x000000, ColorMap.GRAY.rgb(0f));
        assertEquals(0xffffff, ColorMap.GRAY.rgb(1f));
        assertEquals(0x440154, ColorMap.VIRIDIS.rgb(0f));
        assertEquals(0xfde725, ColorMap.VIRIDIS.rgb(1f));
        assertEquals(0x21918c, ColorMap.VIRIDIS.rgb(0.5f));
        assertEquals(0x000004, ColorMap.INFERNO.rgb(0f));
        assertEquals(0xfcffa4, ColorMap.INFERNO.rgb(1f));
        assertEquals(0x2166ac, ColorMap.DIVERGING.rgb(0f));
        assertEquals(0xb2182b, ColorMap.DIVERGING.rgb(1f));
    }

    @Test
    void divergingIsWhiteAtZeroAndClampsOutside() {
        int mid = ColorMap.DIVERGING.rgb(0.5f);
        assertTrue(((mid >> 16) & 0xff) > 245 && ((mid >> 8) & 0xff) > 245 && (mid & 0xff) > 245, Integer.toHexString(mid));
        assertEquals(ColorMap.GRAY.rgb(1f), ColorMap.GRAY.rgb(7f));
        assertEquals(ColorMap.GRAY.rgb(0f), ColorMap.GRAY.rgb(-3f));
    }

    @Test
    void perceptualMapsGetBrighterMonotonically() {
        for (ColorMap m : new ColorMap[] {ColorMap.VIRIDIS, ColorMap.INFERNO, ColorMap.GRAY}) {
            double prev = -1;
            for (int i = 0; i <= 20; i++) {
                int c = m.rgb(i / 20f);
                double lum = 0.2126 * ((c >> 16) & 0xff) + 0.7152 * ((c >> 8) & 0xff) + 0.0722 * (c & 0xff);
                assertTrue(lum >= prev - 1.0, m + " at " + i);
                prev = lum;
            }
        }
    }

    @Test
    void parsesNamesAndRejectsUnknown() {
        assertEquals(ColorMap.GRAY, ColorMap.parse("grey"));
        assertEquals(ColorMap.DIVERGING, ColorMap.parse("bwr"));
        assertEquals(ColorMap.INFERNO, ColorMap.parse("Inferno"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ColorMap.parse("jet"));
        assertTrue(e.getMessage().contains("viridis"), e.getMessage());
    }
}
