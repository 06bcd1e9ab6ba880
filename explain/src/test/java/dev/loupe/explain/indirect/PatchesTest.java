package dev.loupe.explain.indirect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.explain.data.Dataset;
import dev.loupe.explain.data.NpyDataset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PatchesTest {
    /** A 3×3 "X" the detector channel is matched to. */
    static final float[] PATTERN = {1, -1, 1, -1, 1, -1, 1, -1, 1};
    static final int SIZE = 20;
    static final int PLANTED_IMAGE = 37;
    static final int PY = 11;
    static final int PX = 5;

    /** conv 3×3 (channel 0 = the pattern as a matched filter, channel 1 = a box blur) → ReLU → max pool 2/2 → conv 3×3 → ReLU. */
    static Graph model() {
        Tensor w1 = Tensor.zeros(2, 1, 3, 3);
        for (int i = 0; i < 9; i++) {
            w1.data()[i] = PATTERN[i];
            w1.data()[9 + i] = 1f / 9;
        }
        Tensor w2 = Tensor.zeros(2, 2, 3, 3);
        for (int i = 0; i < 9; i++) {
            w2.data()[i] = 1f;             // out 0 reads the detector
            w2.data()[27 + i] = 1f;        // out 1 reads the blur
        }
        Nets n = new Nets(1);
        n.conv("conv1", w1, new float[] {-1f, 0f}, 1, 0).relu("relu1").maxPool("pool1", 2, 2, 0)
                .conv("conv2", w2, new float[] {0f, 0f}, 1, 1).relu("relu2");
        return n.build(1, SIZE, SIZE);
    }

    /** 60 images of weak noise; image 37 has the pattern, strongly, with its top-left at (PY, PX). */
    static Dataset data() {
        Random rnd = new Random(5);
        Tensor stack = Tensor.zeros(60, 1, SIZE, SIZE);
        for (int i = 0; i < stack.size(); i++) {
            stack.data()[i] = 0.3f * (float) rnd.nextGaussian();
        }
        for (int dy = 0; dy < 3; dy++) {
            for (int dx = 0; dx < 3; dx++) {
                stack.set(2f * PATTERN[dy * 3 + dx], PLANTED_IMAGE, 0, PY + dy, PX + dx);
            }
        }
        return new NpyDataset("planted", stack, null);
    }

    @Test
    void plantedPatternIsTheTopPatchAndItsCropContainsIt() throws Exception {
        Graph g = model();
        Dataset d = data();
        AtomicInteger progress = new AtomicInteger();
        MaxActivatingPatches.Result r = MaxActivatingPatches.run(g, d, null, new MaxActivatingPatches.Options("pool1", 5, 8, 0),
                (done, total) -> progress.set((int) done), null, null);
        assertTrue(r.complete());
        assertEquals(60, r.imagesSeen());
        assertEquals(60, progress.get());
        List<MaxActivatingPatches.Hit> hits = r.hits().get(0);
        assertEquals(5, hits.size());
        MaxActivatingPatches.Hit top = hits.get(0);
        assertEquals(PLANTED_IMAGE, top.image());
        assertTrue(top.value() > 2 * hits.get(1).value(), "the planted pattern stands out: " + hits);
        for (int i = 1; i < hits.size(); i++) {
            assertTrue(hits.get(i - 1).value() >= hits.get(i).value());
        }
        // pool1's field: 4×4, stride 2, start 0; the crop holds the whole 3×3 pattern.
        assertEquals(new ReceptiveField(4, 4, 2, 2, 0, 0), r.field());
        int[] region = r.field().clampedRegion(top.y(), top.x(), SIZE, SIZE);
        assertTrue(region[0] <= PY && region[2] >= PY + 3 && region[1] <= PX && region[3] >= PX + 3, java.util.Arrays.toString(region));
        Tensor patch = MaxActivatingPatches.crop(MaxActivatingPatches.image(d, null, top), r.field(), top);
        assertEquals(4, patch.dim(1));
        int oy = PY - region[0];
        int ox = PX - region[1];
        for (int dy = 0; dy < 3; dy++) {
            for (int dx = 0; dx < 3; dx++) {
                assertEquals(2f * PATTERN[dy * 3 + dx], patch.get(0, oy + dy, ox + dx), 1e-6);
            }
        }
        // The top channel of the whole layer is the detector.
        assertEquals(0, r.topChannels(1)[0]);
        TileGrid grid = MaxActivatingPatches.grid(r, d, null, new int[] {0, 1});
        assertEquals(2, grid.rows().size());
        assertEquals(5, grid.rows().get(0).tiles().size());
    }

    /** DeconvNet projects the detector's activation back onto the planted pattern: value × filter, nothing elsewhere. */
    @Test
    void deconvReconstructionIsTheFilterAtThePattern() throws Exception {
        Graph g = model();
        Tensor image = data().item(PLANTED_IMAGE).image();
        DeconvReconstruction.Projection pr = DeconvReconstruction.project(g, image.reshape(1, 1, SIZE, SIZE), "pool1", 0, -1, -1);
        Tensor rec = pr.image();
        // The conv1 unit that won the pool is the pattern's top-left corner (PY, PX) in valid-conv coordinates.
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                boolean inPattern = y >= PY && y < PY + 3 && x >= PX && x < PX + 3;
                float expected = inPattern ? pr.activation() * PATTERN[(y - PY) * 3 + (x - PX)] : 0f;
                assertEquals(expected, rec.get(0, y, x), 1e-4, "pixel " + y + "," + x);
            }
        }
        assertTrue(pr.activation() > 10);
        // A deeper layer: conv2's detector unit projects through 9 pool switches; DeconvNet ignores the
        // forward activations, so all 9 windows get the filter, but only inside the unit's receptive field.
        DeconvReconstruction.Projection deep = DeconvReconstruction.project(g, image.reshape(1, 1, SIZE, SIZE), "relu2", 0, -1, -1);
        int[] field = deep.field().clampedRegion(deep.y(), deep.x(), SIZE, SIZE);
        double match = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                float v = deep.image().get(0, y, x);
                if (y < field[0] || y >= field[2] || x < field[1] || x >= field[3]) {
                    assertEquals(0f, v, "outside the field at " + y + "," + x);
                }
                if (y >= PY && y < PY + 3 && x >= PX && x < PX + 3) {
                    match += v * PATTERN[(y - PY) * 3 + (x - PX)];
                }
            }
        }
        assertTrue(match > 0, "the pattern is reconstructed with its own sign: " + match);
        assertEquals(4, pr.patch().dim(1));
    }

    @Test
    void cancellingKeepsTheResultsSoFar() {
        AtomicInteger batches = new AtomicInteger();
        MaxActivatingPatches.Result r = MaxActivatingPatches.run(model(), data(), null, new MaxActivatingPatches.Options("pool1", 3, 10, 0),
                (done, total) -> batches.incrementAndGet(), () -> batches.get() >= 2, null);
        assertFalse(r.complete());
        assertEquals(20, r.imagesSeen());
        assertEquals(3, r.hits().get(0).size());
        assertTrue(r.hits().get(0).stream().allMatch(h -> h.image() < 20));
    }
}
