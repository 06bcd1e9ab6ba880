package dev.loupe.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.onnx.testing.EngineOps;
import dev.loupe.onnx.testing.Shared;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared models load into the graphs we expect: node counts after folding, input shapes, weights. */
class ModelStructureTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # file                          | nodes | H   | first conv weight | last layer weight | folded
            parity/tiny_alexnet_lrn/model.onnx | 12 | 64  | 24,3,11,11        | 10,32             | 0
            parity/tiny_dense/model.onnx       | 19 | 32  | 16,3,3,3          | 10,16             | 1
            parity/tiny_mobile/model.onnx      | 13 | 32  | 16,3,3,3          | 10,48             | 8
            parity/tiny_resnet/model.onnx      | 16 | 32  | 16,3,3,3          | 10,32             | 0
            parity/tiny_vgg/model.onnx         | 12 | 32  | 16,3,3,3          | 10,64             | 0
            models/resnet18.onnx               | 49 | 224 | 64,3,7,7          | 1000,512          | 0
            models/mobilenet_v2.onnx           | 100 | 224 | 32,3,3,3         | 1000,1280         | 70
            models/squeezenet1_1.onnx          | 65 | 224 | 64,3,3,3          | 1000,512,1,1      | 0
            models/squeezenet1.1-imagenet.onnx | 65 | 224 | 64,3,3,3          | 1000,512,1,1      | 0
            """)
    void loads(String file, int nodes, int size, String firstConv, String lastLayer, int folded) throws Exception {
        Path path = Shared.file(file);
        EngineOps.assumeSupported(path);
        OnnxModel m = OnnxImporter.loadModel(path);
        Graph g = m.graph();
        assertEquals(13, m.opsetVersion());
        assertEquals("pytorch", m.producerName());
        assertEquals(nodes, g.nodes().size(), "nodes after folding: " + g.nodes().stream().map(Node::type).toList());
        assertEquals(folded, m.foldedNodes());
        assertEquals(1, g.inputs().size());
        assertEquals("input", g.inputs().get(0).name());
        assertArrayEquals(new int[] {-1, 3, size, size}, g.inputs().get(0).shape());
        assertEquals("batch", g.inputs().get(0).dimNames()[0]);
        assertEquals("logits", g.outputs().get(0).name());
        Node conv = g.nodes().stream().filter(n -> n.type().equals("Conv")).findFirst().orElseThrow();
        assertArrayEquals(ints(firstConv), g.constants().get(conv.inputs().get(1)).shape(), "first conv weight");
        Node last = g.nodes().stream().filter(n -> n.type().equals("Conv") || n.type().equals("Gemm"))
                .reduce((a, b) -> b).orElseThrow();
        assertArrayEquals(ints(lastLayer), g.constants().get(last.inputs().get(1)).shape(), "last layer weight");
        for (Node n : g.nodes()) {
            assertTrue(!n.type().equals("Identity") && !n.type().equals("Constant"), "left in the graph: " + n);
        }
    }

    private static int[] ints(String csv) {
        return java.util.Arrays.stream(csv.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    }
}
