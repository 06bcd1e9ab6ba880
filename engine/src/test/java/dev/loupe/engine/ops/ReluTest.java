package dev.loupe.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.testing.GradCheck;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReluTest {
    @Test
    void forwardClampsNegatives() {
        Tensor y = new Relu().forward(new Tensor[] {Tensor.of(new float[] {1, -1, 5, 0}, 4)}, new Saved())[0];
        assertArrayEquals(new float[] {1, 0, 5, 0}, y.data());
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        GradCheck.check(new Relu(), GradCheck.randomAwayFromZero(new Random(1), 0.05f, 2, 3, 4, 4));
    }

    @Test
    void lectureExampleGradient() {
        // The 3x3 example of the lecture: forward h^l and the incoming gradient.
        Tensor h = Tensor.of(new float[] {1, -1, 5, 2, -5, -7, -3, 2, 4}, 1, 1, 3, 3);
        Tensor g = Tensor.of(new float[] {-2, 3, -1, 6, -3, 1, 2, -1, 3}, 1, 1, 3, 3);
        Relu relu = new Relu();
        Saved s = new Saved();
        relu.forward(new Tensor[] {h}, s);
        Tensor gin = relu.backward(s, new Tensor[] {g}, new boolean[] {true})[0];
        assertArrayEquals(new float[] {-2, 0, -1, 6, 0, 0, 0, -1, 3}, gin.data());
    }
}
