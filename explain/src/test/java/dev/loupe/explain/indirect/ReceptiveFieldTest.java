package dev.loupe.explain.indirect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.ops.Concat;
import dev.loupe.engine.ops.Flatten;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReceptiveFieldTest {
    /** VGG-16's five blocks of 3×3 pad-1 convolutions and 2×2 stride-2 pooling: the published fields. */
    @Test
    void vgg16StackMatchesThePublishedFields() {
        Nets n = new Nets(3);
        int[] convs = {2, 2, 3, 3, 3};
        for (int b = 0; b < 5; b++) {
            for (int c = 0; c < convs[b]; c++) {
                n.conv("conv" + (b + 1) + "_" + (c + 1), 2, 3, 1, 1, 0.1f).relu("relu" + (b + 1) + "_" + (c + 1));
            }
            n.maxPool("pool" + (b + 1), 2, 2, 0);
        }
        Graph g = n.build(3, 224, 224);
        assertEquals(new ReceptiveField(3, 3, 1, 1, -1, -1), ReceptiveField.of(g, "conv1_1"));
        assertEquals(new ReceptiveField(5, 5, 1, 1, -2, -2), ReceptiveField.of(g, "relu1_2"));
        assertEquals(new ReceptiveField(6, 6, 2, 2, -2, -2), ReceptiveField.of(g, "pool1"));
        assertEquals(16, ReceptiveField.of(g, "pool2").sizeY());
        assertEquals(44, ReceptiveField.of(g, "pool3").sizeY());
        assertEquals(100, ReceptiveField.of(g, "pool4").sizeY());
        assertEquals(196, ReceptiveField.of(g, "relu5_3").sizeY());
        ReceptiveField p5 = ReceptiveField.of(g, "pool5");
        assertEquals(212, p5.sizeY());
        assertEquals(32, p5.strideY());
        // Each 3×3 pad-1 conv moves the start back by one jump: -(1+1) -(2+2) -(4+4+4) -(8+8+8) -(16+16+16).
        assertEquals(-90, p5.startY());
    }

    /** AlexNet: conv1 11×11 stride 4 pad 2, pool 3/2, conv2 5×5 pad 2, pool, conv3-5 3×3 pad 1, pool. */
    @Test
    void alexNetMatchesThePublishedFields() {
        Nets n = new Nets(3);
        n.conv("conv1", 4, 11, 4, 2, 0.1f).relu("relu1").maxPool("pool1", 3, 2, 0)
                .conv("conv2", 4, 5, 1, 2, 0.1f).relu("relu2").maxPool("pool2", 3, 2, 0)
                .conv("conv3", 4, 3, 1, 1, 0.1f).relu("relu3").conv("conv4", 4, 3, 1, 1, 0.1f).relu("relu4")
                .conv("conv5", 4, 3, 1, 1, 0.1f).relu("relu5").maxPool("pool5", 3, 2, 0);
        Graph g = n.build(3, 224, 224);
        assertEquals(new ReceptiveField(11, 11, 4, 4, -2, -2), ReceptiveField.of(g, "conv1"));
        assertEquals(19, ReceptiveField.of(g, "pool1").sizeY());
        assertEquals(51, ReceptiveField.of(g, "relu2").sizeY());
        assertEquals(67, ReceptiveField.of(g, "pool2").sizeY());
        assertEquals(99, ReceptiveField.of(g, "conv3").sizeY());
        assertEquals(131, ReceptiveField.of(g, "conv4").sizeY());
        ReceptiveField c5 = ReceptiveField.of(g, "relu5");
        assertEquals(163, c5.sizeY());
        assertEquals(16, c5.strideY());
        assertEquals(195, ReceptiveField.of(g, "pool5").sizeY());
        assertEquals(32, ReceptiveField.of(g, "pool5").strideY());
    }

    /**
     * The computed field equals the set of input pixels a unit's gradient reaches, on a net with
     * a strided conv, average pooling and two branches joined by Concat (positive weights, so no
     * gradient cancels).
     */
    @Test
    void fieldIsExactlyWhereTheGradientReaches() {
        Nets n = new Nets(1);
        n.conv("a", 2, 3, 1, 1, 0.2f).relu("ra").avgPool("p", 3, 2, 1);
        String trunk = n.last;
        n.conv("b1", 2, 5, 2, 2, 0.1f);
        String b1 = n.last;
        n.last = trunk;
        n.channels = 2;
        n.conv("b2", 2, 1, 2, 0, 0.1f);
        String b2 = n.last;
        List<Node> nodes = new ArrayList<>(n.nodes);
        nodes.add(new Node("cat", new Concat(1), List.of(b1, b2), List.of("cat")));
        Graph g = new Graph(nodes, n.constants, List.of(ValueInfo.of("x", 1, 1, 40, 40)), List.of(ValueInfo.of("cat")));
        ReceptiveField rf = ReceptiveField.of(g, "cat");
        Tensor x = Tensor.zeros(1, 1, 40, 40);
        java.util.Arrays.fill(x.data(), 1f);
        Trace t = Executor.forward(g, x);
        Tensor cat = t.get("cat");
        for (int[] unit : new int[][] {{0, 0}, {2, 3}, {9, 9}, {4, 0}}) {
            Tensor seed = Tensor.zeros(cat.shape());
            seed.set(1f, 0, 0, unit[0], unit[1]);
            Tensor gx = t.backward(Map.of("cat", seed), List.of("x")).get("x");
            int[] r = rf.clampedRegion(unit[0], unit[1], 40, 40);
            for (int yy = 0; yy < 40; yy++) {
                for (int xx = 0; xx < 40; xx++) {
                    boolean inside = yy >= r[0] && yy < r[2] && xx >= r[1] && xx < r[3];
                    boolean reached = gx.get(0, 0, yy, xx) != 0f;
                    assertEquals(inside, reached, "unit " + unit[0] + "," + unit[1] + " pixel " + yy + "," + xx + " field " + rf);
                }
            }
        }
    }

    @Test
    void flattenHasNoSpatialField() {
        Nets n = new Nets(1);
        n.conv("a", 1, 3, 1, 0, 1f);
        List<Node> nodes = new ArrayList<>(n.nodes);
        nodes.add(new Node("flat", new Flatten(1), List.of("a"), List.of("flat")));
        Graph g = new Graph(nodes, n.constants, List.of(ValueInfo.of("x", 1, 1, 8, 8)), List.of(ValueInfo.of("flat")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReceptiveField.of(g, "flat"));
        assertTrue(e.getMessage().contains("Flatten"), e.getMessage());
    }
}
