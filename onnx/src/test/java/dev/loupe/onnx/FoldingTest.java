package dev.loupe.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.onnx.proto.GraphProto;
import dev.loupe.onnx.proto.NodeProto;
import dev.loupe.onnx.proto.TensorProto;
import dev.loupe.onnx.testing.OnnxBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Load-time simplification: constants are evaluated once, no-ops bypassed, dead parts dropped. */
class FoldingTest {
    private static final float[] W = {-1, 2, -3};

    @Test
    void constantSubgraphsBecomeConstants() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "batch", 3);
        b.node("Constant", List.of(), List.of("c"), "value", Tensor.of(W.clone(), 3));
        String r = b.op("Relu", new String[] {"c"});
        String id = b.op("Identity", new String[] {r});
        b.output(b.op("Relu", new String[] {"x"})).output(id);
        OnnxModel m = OnnxImporter.loadModel(b.bytes(), null);
        Graph g = m.graph();
        assertEquals(1, g.nodes().size(), "only the Relu on the input runs");
        assertArrayEquals(new float[] {0, 2, 0}, g.constants().get(id).data());
        assertEquals(2, m.foldedNodes(), "the Constant and the Relu on it");
        Tensor out = Executor.forward(g, Tensor.of(new float[] {1, -1, 2}, 1, 3)).get(id);
        assertArrayEquals(new float[] {0, 2, 0}, out.data());
    }

    @Test
    void constantNodeSpellings() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", 1);
        b.node("Constant", List.of(), List.of("f"), "value_float", 2.5f);
        b.node("Constant", List.of(), List.of("fs"), "value_floats", new float[] {1, 2});
        b.node("Constant", List.of(), List.of("i"), "value_int", 7);
        b.node("Constant", List.of(), List.of("is"), "value_ints", new long[] {3, 4, 5});
        b.node("Constant", List.of(), List.of("t"), "value", OnnxBuilder.int64Tensor("", new long[] {2}, 8, 9));
        b.output(b.op("Relu", new String[] {"x"})).output("f").output("fs").output("i").output("is").output("t");
        Graph g = OnnxImporter.load(b.bytes(), null);
        assertEquals(0, g.constants().get("f").rank());
        assertArrayEquals(new float[] {2.5f}, g.constants().get("f").data());
        assertArrayEquals(new float[] {1, 2}, g.constants().get("fs").data());
        assertArrayEquals(new float[] {7}, g.constants().get("i").data());
        assertArrayEquals(new float[] {3, 4, 5}, g.constants().get("is").data());
        assertArrayEquals(new float[] {8, 9}, g.constants().get("t").data());
    }

    @Test
    void noOpNodesAreBypassed() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "batch", 3);
        String a = b.op("Identity", new String[] {"x"});
        String c = b.op("Cast", new String[] {a}, "to", TensorProto.DataType.FLOAT_VALUE);
        String d = b.op("Dropout", new String[] {c});
        String r = b.op("Relu", new String[] {d});
        b.output(b.op("Identity", new String[] {r}));
        Graph g = OnnxImporter.load(b.bytes(), null);
        assertEquals(List.of("Relu", "Identity"), g.nodes().stream().map(Node::type).toList(),
                "Identity, Cast and Dropout bypassed; the output keeps its name through a pass-through");
        assertEquals(List.of("x"), g.nodes().get(0).inputs());
        Tensor y = Executor.forward(g, Tensor.of(new float[] {-1, 0, 4}, 1, 3)).output();
        assertArrayEquals(new float[] {0, 0, 4}, y.data());
    }

    @Test
    void castOfConstantsToIntegersTruncates() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", 1);
        b.weight("w", Tensor.of(new float[] {1.7f, -1.7f, 0f}, 3));
        String i = b.op("Cast", new String[] {"w"}, "to", TensorProto.DataType.INT64_VALUE);
        String t = b.op("Cast", new String[] {"w"}, "to", TensorProto.DataType.BOOL_VALUE);
        b.output(b.op("Relu", new String[] {"x"})).output(i).output(t);
        Graph g = OnnxImporter.load(b.bytes(), null);
        assertArrayEquals(new float[] {1, -1, 0}, g.constants().get(i).data());
        assertArrayEquals(new float[] {1, 1, 0}, g.constants().get(t).data());
    }

    @Test
    void unusedNodesAndInitializersAreDropped() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "batch", 3);
        b.weight("unused", Tensor.of(W.clone(), 3));
        b.op("Relu", new String[] {"x"}); // dead branch
        b.output(b.op("Relu", new String[] {"x"}));
        Graph g = OnnxImporter.load(b.bytes(), null);
        assertEquals(1, g.nodes().size());
        assertTrue(g.constants().isEmpty());
    }

    @Test
    void unsortedNodesAreSorted() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "batch", 3);
        String r1 = b.op("Relu", new String[] {"x"});
        String r2 = b.op("Relu", new String[] {r1});
        b.output(b.op("Relu", new String[] {r2}));
        GraphProto.Builder gb = b.graph();
        List<NodeProto> nodes = new ArrayList<>(gb.getNodeList());
        Collections.reverse(nodes);
        gb.clearNode().addAllNode(nodes);
        Graph g = OnnxImporter.load(b.bytes(), null);
        assertEquals(List.of(List.of("x"), List.of(r1), List.of(r2)), g.nodes().stream().map(Node::inputs).toList());
    }

    @Test
    void inputsExcludeInitializersAndKeepSymbolicNames() throws Exception {
        OnnxBuilder b = new OnnxBuilder(13).input("x", "N", 3, 224, 224);
        b.weight("w", Tensor.of(W.clone(), 3));
        b.graph().addInput(OnnxBuilder.valueInfo("w", 3)); // IR<4 style: initializers listed as inputs
        b.output(b.op("Relu", new String[] {"x"}));
        OnnxModel m = OnnxImporter.loadModel(b.bytes(), null);
        assertEquals(1, m.inputs().size());
        assertArrayEquals(new int[] {-1, 3, 224, 224}, m.inputs().get(0).shape());
        assertEquals("N", m.inputs().get(0).dimNames()[0]);
        assertEquals(13, m.opsetVersion());
        assertEquals("loupe-test", m.producerName());
    }

    @Test
    void shapeOfStaticInputIsFolded() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.loupe.engine.ops.OpFactory.supports("Shape"),
                "engine has no Shape op yet");
        OnnxBuilder b = new OnnxBuilder(13).input("x", 2, 3, 4);
        String s = b.op("Shape", new String[] {"x"});
        b.output(b.op("Relu", new String[] {"x"})).output(s);
        Graph g = OnnxImporter.load(b.bytes(), null);
        assertArrayEquals(new float[] {2, 3, 4}, g.constants().get(s).data());
    }
}
