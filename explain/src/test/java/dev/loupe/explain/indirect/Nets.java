package dev.loupe.explain.indirect;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.ops.AveragePool;
import dev.loupe.engine.ops.Conv;
import dev.loupe.engine.ops.MaxPool;
import dev.loupe.engine.ops.Relu;
import dev.loupe.engine.ops.WindowAttrs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny builder of conv nets on the engine's real ops, for receptive-field and patch tests. */
final class Nets {
    final List<Node> nodes = new ArrayList<>();
    final Map<String, Tensor> constants = new LinkedHashMap<>();
    String last = "x";
    int channels;
    private int counter;

    Nets(int channels) {
        this.channels = channels;
    }

    Nets conv(String name, int out, int k, int stride, int pad, float fill) {
        Tensor w = Tensor.zeros(out, channels, k, k);
        java.util.Arrays.fill(w.data(), fill);
        return conv(name, w, new float[out], stride, pad);
    }

    Nets conv(String name, Tensor w, float[] bias, int stride, int pad) {
        constants.put(name + ".w", w);
        constants.put(name + ".b", Tensor.of(bias, bias.length));
        nodes.add(new Node(name, new Conv(1, WindowAttrs.of(null, new int[] {stride, stride}, new int[] {pad, pad, pad, pad})),
                List.of(last, name + ".w", name + ".b"), List.of(name)));
        last = name;
        channels = w.dim(0);
        return this;
    }

    Nets relu(String name) {
        nodes.add(new Node(name + "_node", new Relu(), List.of(last), List.of(name)));
        last = name;
        return this;
    }

    Nets maxPool(String name, int k, int stride, int pad) {
        nodes.add(new Node(name, new MaxPool(WindowAttrs.of(new int[] {k, k}, new int[] {stride, stride}, new int[] {pad, pad, pad, pad})),
                List.of(last), List.of(name)));
        last = name;
        return this;
    }

    Nets avgPool(String name, int k, int stride, int pad) {
        nodes.add(new Node(name, new AveragePool(WindowAttrs.of(new int[] {k, k}, new int[] {stride, stride}, new int[] {pad, pad, pad, pad}), true),
                List.of(last), List.of(name)));
        last = name;
        return this;
    }

    String fresh() {
        return "t" + counter++;
    }

    Graph build(int c, int h, int w) {
        return new Graph(nodes, constants, List.of(ValueInfo.of("x", -1, c, h, w)), List.of(ValueInfo.of(last)));
    }
}
