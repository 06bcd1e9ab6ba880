package dev.loupe.explain.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Tensor;
import dev.loupe.explain.testing.TargetedModels;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

class SlicTest {
    @Test
    void segmentsAreConnectedNumberedAndNearTheRequestedCount() {
        Tensor x = TargetedModels.plantedImage();
        Slic.Segmentation s = Slic.segment(x, 16);
        assertTrue(s.count() >= 8 && s.count() <= 24, "count " + s.count());
        int[] sizes = s.sizes();
        for (int l = 0; l < s.count(); l++) {
            assertTrue(sizes[l] > 0, "label " + l + " unused");
            assertEquals(sizes[l], componentSize(s, l), "label " + l + " is not one connected piece");
        }
        assertArrayEquals(s.labels(), Slic.segment(x, 16).labels());
    }

    @Test
    void followsAStrongEdge() {
        // The blob (value 1 on ~0) must not share a superpixel with the background to its right.
        Tensor x = TargetedModels.plantedImage();
        Slic.Segmentation s = Slic.segment(x, 16);
        int xx = TargetedModels.BLOB_X1 - 1;
        for (int y = TargetedModels.BLOB_Y0; y < TargetedModels.BLOB_Y1; y++) {
            assertTrue(s.labels()[y * 16 + xx] != s.labels()[y * 16 + xx + 1], "blob edge crossed at row " + y);
        }
    }

    private static int componentSize(Slic.Segmentation s, int label) {
        int w = s.width();
        int start = -1;
        for (int i = 0; i < s.labels().length && start < 0; i++) {
            if (s.labels()[i] == label) {
                start = i;
            }
        }
        boolean[] seen = new boolean[s.labels().length];
        ArrayDeque<Integer> q = new ArrayDeque<>();
        q.add(start);
        seen[start] = true;
        int n = 0;
        while (!q.isEmpty()) {
            int p = q.poll();
            n++;
            int[] nb = {p - w, p + w, p % w > 0 ? p - 1 : -1, p % w < w - 1 ? p + 1 : -1};
            for (int v : nb) {
                if (v >= 0 && v < seen.length && !seen[v] && s.labels()[v] == label) {
                    seen[v] = true;
                    q.add(v);
                }
            }
        }
        return n;
    }
}
