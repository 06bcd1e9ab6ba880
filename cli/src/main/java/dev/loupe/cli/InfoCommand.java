package dev.loupe.cli;

import dev.loupe.engine.Executor;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.engine.ValueInfo;
import dev.loupe.explain.cam.CamLayers;
import dev.loupe.onnx.OnnxModel;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Describes a model: its inputs, outputs, producer and every named tensor with its shape. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a model's inputs, outputs and every named tensor with its shape and producing op.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        OnnxModel m = model.load();
        Graph g = m.graph();
        out.println("model     " + model.modelPath());
        String producer = (m.producerName() + " " + m.producerVersion()).strip();
        out.println("producer  " + (producer.isEmpty() ? "(not recorded)" : producer) + ", opset " + m.opsetVersion()
                + ", ir version " + m.irVersion());
        out.println("nodes     " + g.nodes().size() + " (" + m.foldedNodes() + " folded at load), "
                + g.constants().size() + " weight tensors, "
                + g.constants().values().stream().mapToLong(Tensor::size).sum() + " parameters");
        for (ValueInfo v : g.inputs()) {
            out.println("input     " + v.name() + " " + v.shapeText());
        }
        for (ValueInfo v : g.outputs()) {
            out.println("output    " + v.name() + " " + v.shapeText());
        }
        if (g.inputs().size() != 1) {
            out.println("(tensor shapes need one input; this model has " + g.inputs().size() + ")");
            return 0;
        }
        int[] shape = concrete(g.inputs().get(0));
        Trace trace = Executor.forward(g, Tensor.zeros(shape));
        String cam = null;
        try {
            cam = CamLayers.defaultLayer(trace);
        } catch (IllegalArgumentException e) {
            // No spatial activation: nothing to mark.
        }
        out.println();
        out.println("tensors (shapes from one forward pass on zeros " + Arrays.toString(shape) + "):");
        int width = Math.max(6, g.activationNames().stream().mapToInt(String::length).max().orElse(6));
        out.printf("  %-" + width + "s  %-20s  %s%n", "name", "shape", "op");
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                if (o.isEmpty()) {
                    continue;
                }
                String mark = o.equals(cam) ? "   <- default Grad-CAM layer" : "";
                out.printf("  %-" + width + "s  %-20s  %s%s%n", o, Arrays.toString(trace.get(o).shape()),
                        n.type() + " (" + n.name() + ")", mark);
            }
        }
        return 0;
    }

    /** The declared input shape with batch 1 and other open dimensions guessed as 224. */
    static int[] concrete(ValueInfo in) {
        int[] s = in.shape();
        if (s == null) {
            return new int[] {1, 3, 224, 224};
        }
        s = s.clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0) {
                s[i] = i == 0 ? 1 : (i == 1 && s.length == 4 ? 3 : 224);
            }
        }
        return s;
    }
}
