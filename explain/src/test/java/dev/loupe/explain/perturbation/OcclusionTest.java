package dev.loupe.explain.perturbation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OcclusionTest {
    @Test
    void windowCountsFollowCaptum() {
        assertEquals(7, Occlusion.positions(32, 8, 4));
        assertEquals(15, Occlusion.positions(64, 8, 4));
        // (10 - 4) / 4 is not whole: Captum adds a last, border-cut window (ceil), not floor.
        assertEquals(3, Occlusion.positions(10, 4, 4));
        assertEquals(1, Occlusion.positions(8, 8, 3));
        assertThrows(IllegalArgumentException.class, () -> Occlusion.positions(4, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> new Occlusion.Options(4, 5, new Fill.Zero(), 1));
    }
}
