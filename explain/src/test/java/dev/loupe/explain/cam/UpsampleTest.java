package dev.loupe.explain.cam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.loupe.engine.Tensor;
import org.junit.jupiter.api.Test;

class UpsampleTest {
    @Test
    void bilinearMatchesPytorchAlignCornersFalse() {
        // torch.nn.functional.interpolate(torch.tensor([[[[1.,2.],[3.,4.]]]]), size=(4,4), mode="bilinear", align_corners=False)
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        float[] want = {1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3.0f, 3.25f, 3.75f, 4.0f};
        assertArrayEquals(want, Upsample.bilinear(t, 4, 4).data(), 1e-6f);
    }

    @Test
    void nearestRepeats() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        float[] want = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
        assertArrayEquals(want, Upsample.nearest(t, 4, 4).data());
    }
}
