package dev.loupe.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void reusesOneBufferButNeverHandsItOutTwice() {
        float[] a = Scratch.take(100);
        float[] nested = Scratch.take(50);
        assertNotSame(a, nested, "a buffer in use must not be handed out again");
        Scratch.give(a);
        assertSame(a, Scratch.take(80));
        Scratch.give(a);
        assertTrue(Scratch.take(1000).length >= 1000);
        assertNotSame(Scratch.take(Scratch.MAX_KEPT + 1), Scratch.take(Scratch.MAX_KEPT + 1));
    }
}
