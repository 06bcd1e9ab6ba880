package dev.loupe.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Node;
import dev.loupe.engine.Op;
import dev.loupe.engine.Saved;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.ValueInfo;
import dev.loupe.engine.ops.Attributes;
import dev.loupe.engine.ops.OpFactory;
import dev.loupe.engine.ops.UnsupportedOpException;
import dev.loupe.onnx.proto.AttributeProto;
import dev.loupe.onnx.proto.GraphProto;
import dev.loupe.onnx.proto.ModelProto;
import dev.loupe.onnx.proto.NodeProto;
import dev.loupe.onnx.proto.OperatorSetIdProto;
import dev.loupe.onnx.proto.StringStringEntryProto;
import dev.loupe.onnx.proto.TensorProto;
import dev.loupe.onnx.proto.TensorShapeProto;
import dev.loupe.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Loads ONNX files into engine {@link Graph}s.
 *
 * <p>On the way in it evaluates everything that does not depend on the graph inputs (Constant
 * nodes, weight transposes, shape arithmetic on constants) once, bypasses no-op nodes (Identity,
 * inference Dropout, Cast to a float type), drops whatever does not lead to an output, and turns
 * older opsets' attribute forms into the inputs the engine's ops read. Every failure is a
 * {@link ModelLoadException} whose message says what to do; nothing half-built is returned.
 */
public final class OnnxImporter {
    /** Oldest ai.onnx opset accepted: torchvision, Keras (tf2onnx) and the model zoo export 7 to 17. */
    public static final int MIN_OPSET = 7;
    /** Newest ai.onnx opset accepted. */
    public static final int MAX_OPSET = 18;

    private OnnxImporter() {
    }

    /** Loads the graph of a model file; external data files are looked up next to it. */
    public static Graph load(Path modelFile) throws ModelLoadException {
        return loadModel(modelFile).graph();
    }

    /**
     * Loads the graph of a model held in memory.
     *
     * @param baseDirForExternalData where external data files are resolved; may be null when the
     *     model keeps all its weights inside
     */
    public static Graph load(byte[] bytes, Path baseDirForExternalData) throws ModelLoadException {
        return loadModel(bytes, baseDirForExternalData).graph();
    }

    /** Loads a model file with its metadata. */
    public static OnnxModel loadModel(Path modelFile) throws ModelLoadException {
        String source = modelFile.getFileName() == null ? modelFile.toString() : modelFile.getFileName().toString();
        if (!Files.exists(modelFile)) {
            throw new ModelLoadException("model file not found: " + modelFile.toAbsolutePath()
                    + "; check the path (relative paths start from " + Path.of("").toAbsolutePath() + ")");
        }
        if (Files.isDirectory(modelFile)) {
            throw new ModelLoadException(modelFile + " is a folder; give the path of the .onnx file inside it");
        }
        byte[] bytes;
        try {
            long size = Files.size(modelFile);
            if (size > Integer.MAX_VALUE - 8) {
                throw new ModelLoadException(source + " is " + size + " bytes; ONNX files over 2 GB must keep their "
                        + "weights as external data (re-export with external data)");
            }
            bytes = Files.readAllBytes(modelFile);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read model file " + modelFile + ": " + e.getMessage(), e);
        }
        Path dir = modelFile.toAbsolutePath().getParent();
        return loadModel(bytes, dir, source);
    }

    /** Loads a model held in memory, with its metadata. */
    public static OnnxModel loadModel(byte[] bytes, Path baseDirForExternalData) throws ModelLoadException {
        return loadModel(bytes, baseDirForExternalData, "the model");
    }

    private static OnnxModel loadModel(byte[] bytes, Path baseDir, String source) throws ModelLoadException {
        ModelProto model = parse(bytes, source);
        try {
            return new Importer(model, baseDir, source).run();
        } catch (ModelLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            // A bug of ours or a model shape we did not anticipate: still one exception type.
            throw new ModelLoadException(source + ": could not build the graph: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- parsing

    /** Parses the bytes, explaining truncation and non-ONNX input instead of a protobuf stack trace. */
    static ModelProto parse(byte[] bytes, String source) throws ModelLoadException {
        if (bytes.length == 0) {
            throw new ModelLoadException(source + " is empty (0 bytes); re-export or re-download it");
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelLoadException(describeBadBytes(bytes, source, e), e);
        }
        if (!model.hasGraph() || !model.hasIrVersion()) {
            throw new ModelLoadException(source + " is not an ONNX model file: it has no "
                    + (model.hasGraph() ? "format version (ir_version)" : "graph")
                    + "; give the .onnx file exported from your framework (e.g. torch.onnx.export)");
        }
        return model;
    }

    /**
     * Walks the top-level fields to tell a truncated file (a field runs past the end) from one
     * that is not protobuf at all.
     */
    private static String describeBadBytes(byte[] bytes, String source, InvalidProtocolBufferException e) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        try {
            while (!in.isAtEnd()) {
                int start = in.getTotalBytesRead();
                int tag = in.readTag();
                int field = WireFormat.getTagFieldNumber(tag);
                if (field < 1 || field > 30) {
                    // ModelProto's fields are all below 30; anything else is not an ONNX model.
                    break;
                }
                if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    int len = in.readRawVarint32();
                    long end = (long) in.getTotalBytesRead() + len;
                    if (len >= 0 && end > bytes.length) {
                        return source + " is truncated: the file ends early at byte " + bytes.length + " of at least " + end
                                + " (a field starting at byte " + start + " needs " + len
                                + " bytes); re-export or re-download it";
                    }
                    in.skipRawBytes(len);
                } else if (!in.skipField(tag)) {
                    break;
                }
            }
        } catch (IOException scanFailure) {
            if (scanFailure instanceof InvalidProtocolBufferException ip
                    && String.valueOf(ip.getMessage()).contains("ended unexpectedly")) {
                return source + " is truncated: the file ends early at byte " + bytes.length
                        + " in the middle of a field; re-export or re-download it";
            }
        }
        return source + " is not an ONNX model file (it is not valid protobuf data: " + e.getMessage()
                + "); give the .onnx file exported from your framework, and re-download it if it should be one";
    }

    // ---------------------------------------------------------------- graph building

    /** One import: state shared by the steps below. */
    private static final class Importer {
        private final ModelProto model;
        private final GraphProto g;
        private final String source;
        private final TensorDecoder decoder;
        private int opset;
        /** Initializers by name, decoded on first use so unused ones cost nothing. */
        private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
        /** Known constant values: decoded initializers, Constant outputs and folded results. */
        private final Map<String, Tensor> constants = new HashMap<>();
        /** Names replaced by another name (outputs of bypassed no-op nodes). */
        private final Map<String, String> alias = new HashMap<>();
        private final Set<String> usedNames = new HashSet<>();
        private final List<ValueInfo> inputs = new ArrayList<>();
        private int folded;

        Importer(ModelProto model, Path baseDir, String source) {
            this.model = model;
            this.g = model.getGraph();
            this.source = source;
            this.decoder = new TensorDecoder(baseDir, source);
        }

        OnnxModel run() throws ModelLoadException {
            opset = standardOpset();
            for (TensorProto t : g.getInitializerList()) {
                initializers.put(t.getName(), t);
                usedNames.add(t.getName());
            }
            for (ValueInfoProto v : g.getInputList()) {
                usedNames.add(v.getName());
                if (!initializers.containsKey(v.getName())) {
                    inputs.add(valueInfo(v));
                }
            }
            if (inputs.isEmpty()) {
                throw new ModelLoadException(source + ": the graph has no inputs"
                        + (g.getInputCount() > 0 ? " (each declared input has a constant value in the file)" : "")
                        + ", so there is nothing to feed an image into; export the model with an image input");
            }
            if (g.getOutputCount() == 0) {
                throw new ModelLoadException(source + ": the graph declares no outputs; export the model with its logits as output");
            }
            List<NodeProto> order = topologicalOrder();
            for (NodeProto n : order) {
                usedNames.addAll(n.getOutputList());
            }
            List<Node> nodes = new ArrayList<>();
            for (int i = 0; i < order.size(); i++) {
                importNode(order.get(i), i, nodes);
            }
            List<ValueInfo> outputs = new ArrayList<>();
            for (ValueInfoProto v : g.getOutputList()) {
                outputs.add(valueInfo(v));
                exposeOutput(v.getName(), nodes);
            }
            List<Node> live = liveNodes(nodes, outputs);
            Map<String, Tensor> kept = liveConstants(live, outputs);
            Graph graph;
            try {
                graph = new Graph(live, kept, inputs, outputs);
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException(source + ": the graph is inconsistent: " + e.getMessage() + "; re-export the model", e);
            }
            Map<String, String> meta = new LinkedHashMap<>();
            for (StringStringEntryProto e : model.getMetadataPropsList()) {
                meta.put(e.getKey(), e.getValue());
            }
            return new OnnxModel(graph, model.getIrVersion(), opset, model.getProducerName(), model.getProducerVersion(),
                    g.getName(), meta, folded);
        }

        /** The ai.onnx opset, checked against the range the engine's ops follow. */
        private int standardOpset() throws ModelLoadException {
            long version = -1;
            for (OperatorSetIdProto o : model.getOpsetImportList()) {
                if (isStandardDomain(o.getDomain())) {
                    version = Math.max(version, o.getVersion());
                }
            }
            if (version < 0) {
                if (model.getOpsetImportCount() == 0 && model.getIrVersion() < 3) {
                    version = 1; // files before IR 3 have no opset list and mean opset 1
                } else {
                    throw new ModelLoadException(source + " does not import the standard ONNX operator set (ai.onnx); "
                            + "Loupe runs only standard ops — re-export with standard ops (opset 13 recommended)");
                }
            }
            if (version < MIN_OPSET || version > MAX_OPSET) {
                throw new ModelLoadException(source + " uses ONNX opset " + version + "; Loupe reads opsets " + MIN_OPSET + " to "
                        + MAX_OPSET + ". Re-export with opset_version=13 (torch.onnx.export) or convert it with "
                        + "onnx.version_converter.convert_version(model, 13)");
            }
            return (int) version;
        }

        private static boolean isStandardDomain(String domain) {
            return domain.isEmpty() || domain.equals("ai.onnx");
        }

        private ValueInfo valueInfo(ValueInfoProto v) throws ModelLoadException {
            if (!v.hasType() || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
                return new ValueInfo(v.getName(), null, null);
            }
            TensorShapeProto s = v.getType().getTensorType().getShape();
            int[] shape = new int[s.getDimCount()];
            String[] names = new String[shape.length];
            boolean named = false;
            for (int i = 0; i < shape.length; i++) {
                TensorShapeProto.Dimension d = s.getDim(i);
                if (d.hasDimValue()) {
                    if (d.getDimValue() < 0 || d.getDimValue() > Integer.MAX_VALUE) {
                        throw new ModelLoadException(source + ": '" + v.getName() + "' declares dimension " + d.getDimValue()
                                + "; the file is damaged — re-export it");
                    }
                    shape[i] = (int) d.getDimValue();
                } else {
                    shape[i] = -1;
                    if (d.hasDimParam()) {
                        names[i] = d.getDimParam();
                        named = true;
                    }
                }
            }
            return new ValueInfo(v.getName(), shape, named ? names : null);
        }

        /**
         * Kahn's algorithm, taking nodes in file order whenever several are ready, so a file that
         * is already sorted (as ONNX requires) keeps its order exactly.
         */
        private List<NodeProto> topologicalOrder() throws ModelLoadException {
            List<NodeProto> all = g.getNodeList();
            Map<String, Integer> producer = new HashMap<>();
            for (int i = 0; i < all.size(); i++) {
                for (String o : all.get(i).getOutputList()) {
                    if (o.isEmpty()) {
                        continue;
                    }
                    Integer before = producer.put(o, i);
                    if (before != null) {
                        throw new ModelLoadException(source + ": tensor '" + o + "' is produced by two nodes ('"
                                + nodeName(all.get(before), before) + "' and '" + nodeName(all.get(i), i)
                                + "'); the file is invalid — re-export it");
                    }
                }
            }
            Set<String> available = new HashSet<>(initializers.keySet());
            for (ValueInfo v : inputs) {
                available.add(v.name());
            }
            int[] waiting = new int[all.size()];
            List<List<Integer>> consumers = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                consumers.add(new ArrayList<>());
            }
            for (int i = 0; i < all.size(); i++) {
                Set<Integer> deps = new HashSet<>();
                for (String in : all.get(i).getInputList()) {
                    if (in.isEmpty() || available.contains(in)) {
                        continue;
                    }
                    Integer p = producer.get(in);
                    if (p == null) {
                        throw new ModelLoadException(source + ": node '" + nodeName(all.get(i), i) + "' (" + all.get(i).getOpType()
                                + ") reads '" + in + "', which no node, graph input or initializer provides; the file is "
                                + "incomplete — re-export it");
                    }
                    if (p == i) {
                        throw new ModelLoadException(source + ": node '" + nodeName(all.get(i), i) + "' reads its own output '"
                                + in + "'; the file is invalid — re-export it");
                    }
                    deps.add(p);
                }
                waiting[i] = deps.size();
                for (int p : deps) {
                    consumers.get(p).add(i);
                }
            }
            PriorityQueue<Integer> ready = new PriorityQueue<>();
            for (int i = 0; i < all.size(); i++) {
                if (waiting[i] == 0) {
                    ready.add(i);
                }
            }
            List<NodeProto> order = new ArrayList<>(all.size());
            while (!ready.isEmpty()) {
                int i = ready.poll();
                order.add(all.get(i));
                for (int c : consumers.get(i)) {
                    if (--waiting[c] == 0) {
                        ready.add(c);
                    }
                }
            }
            if (order.size() != all.size()) {
                for (int i = 0; i < all.size(); i++) {
                    if (waiting[i] > 0) {
                        throw new ModelLoadException(source + ": the graph has a cycle through node '" + nodeName(all.get(i), i)
                                + "' (" + all.get(i).getOpType() + "); ONNX graphs must be acyclic — re-export it");
                    }
                }
            }
            return order;
        }

        private static String nodeName(NodeProto n, int index) {
            return n.getName().isEmpty() ? n.getOpType() + "_" + index : n.getName();
        }

        private String resolve(String name) {
            return name.isEmpty() ? name : alias.getOrDefault(name, name);
        }

        private boolean isConstant(String name) {
            return constants.containsKey(name) || initializers.containsKey(name);
        }

        /** The value of a constant name, decoding the initializer on first use. */
        private Tensor constant(String name) throws ModelLoadException {
            Tensor t = constants.get(name);
            if (t == null) {
                TensorProto p = initializers.get(name);
                t = decoder.decode(p, "initializer '" + name + "'");
                constants.put(name, t);
            }
            return t;
        }

        private void importNode(NodeProto n, int index, List<Node> nodes) throws ModelLoadException {
            String name = nodeName(n, index);
            String type = n.getOpType();
            if (!isStandardDomain(n.getDomain())) {
                throw new ModelLoadException(source + ": node '" + name + "' uses op '" + type + "' from the custom domain '"
                        + n.getDomain() + "'; Loupe runs only standard ONNX ops (domain ai.onnx) — re-export without custom "
                        + "ops or optimizer-specific fusions");
            }
            List<String> ins = new ArrayList<>(n.getInputCount());
            for (String in : n.getInputList()) {
                ins.add(resolve(in));
            }
            List<String> outs = n.getOutputList();
            Map<String, Object> attrs = attributes(n, name);

            if (type.equals("Constant")) {
                constants.put(outs.get(0), constantNodeValue(attrs, name));
                folded++;
                return;
            }
            if (isNoOp(type, attrs, outs)) {
                String src = ins.get(0);
                alias.put(outs.get(0), src);
                return;
            }
            upgradeAttributeInputs(type, attrs, ins, name);
            boolean coerce2d = false;
            long coerceAxis = 1;
            if (type.equals("Softmax") || type.equals("LogSoftmax") || type.equals("Hardmax")) {
                // Opset 13 changed the meaning: before, default axis 1 and the input flattened to 2-D
                // from the axis on; since, one axis, default -1. Always pass the axis explicitly.
                if (opset < 13) {
                    coerce2d = true;
                    coerceAxis = ((Number) attrs.getOrDefault("axis", 1L)).longValue();
                    attrs.put("axis", -1L);
                } else {
                    attrs.putIfAbsent("axis", -1L);
                }
            }
            if (type.equals("Shape") && !ins.isEmpty() && foldShapeOfStaticInput(ins.get(0), attrs, outs.get(0))) {
                folded++;
                return;
            }
            if (type.equals("Cast") && allConstant(ins)) {
                constants.put(outs.get(0), castConstant(constant(ins.get(0)), (Long) attrs.getOrDefault("to", 1L)));
                folded++;
                return;
            }
            Op op;
            try {
                op = OpFactory.create(type, name, new Attributes(attrs));
            } catch (UnsupportedOpException e) {
                throw new ModelLoadException(source + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new ModelLoadException(source + ": node '" + name + "' (" + type + ") has attributes Loupe cannot use: "
                        + e.getMessage(), e);
            }
            if (coerce2d) {
                op = new Coerced2d(op, (int) coerceAxis);
            }
            if (allConstant(ins)) {
                fold(op, name, type, ins, outs);
                return;
            }
            nodes.add(new Node(name, op, ins, outs));
        }

        private boolean allConstant(List<String> ins) {
            for (String in : ins) {
                if (!in.isEmpty() && !isConstant(in)) {
                    return false;
                }
            }
            return true;
        }

        /** Evaluates a node whose inputs are all known, once, and records its outputs as constants. */
        private void fold(Op op, String name, String type, List<String> ins, List<String> outs) throws ModelLoadException {
            Tensor[] args = new Tensor[ins.size()];
            for (int k = 0; k < args.length; k++) {
                args[k] = ins.get(k).isEmpty() ? null : constant(ins.get(k));
            }
            Tensor[] results;
            try {
                results = op.forward(args, new Saved());
            } catch (RuntimeException e) {
                throw new ModelLoadException(source + ": node '" + name + "' (" + type + ") fails on its constant inputs: "
                        + e.getMessage() + "; the model is invalid or uses the op in a way Loupe does not support", e);
            }
            for (int k = 0; k < outs.size() && k < results.length; k++) {
                if (!outs.get(k).isEmpty()) {
                    constants.put(outs.get(k), results[k]);
                }
            }
            folded++;
        }

        /** Identity, inference Dropout and Cast to a float type change nothing in a float32 engine. */
        private static boolean isNoOp(String type, Map<String, Object> attrs, List<String> outs) {
            switch (type) {
                case "Identity":
                    return true;
                case "Dropout":
                    // the mask output, if anyone reads it, needs a real op
                    return outs.size() < 2 || outs.get(1).isEmpty();
                case "Cast":
                    Object to = attrs.get("to");
                    return to instanceof Long l && TensorDecoder.isFloatLike(l.intValue());
                default:
                    return false;
            }
        }

        /** Cast of a constant: integer and bool targets round toward zero / test for non-zero. */
        private static Tensor castConstant(Tensor t, long to) {
            float[] src = t.data();
            float[] out = new float[src.length];
            for (int i = 0; i < src.length; i++) {
                float v = src[i];
                if (to == TensorProto.DataType.BOOL_VALUE) {
                    out[i] = v != 0f ? 1f : 0f;
                } else if (TensorDecoder.isFloatLike((int) to)) {
                    out[i] = v;
                } else {
                    out[i] = (float) (long) v; // truncation toward zero, as C casts do
                }
            }
            return new Tensor(t.shape(), out);
        }

        /**
         * Shape of a graph input whose declared shape has no dynamic dimension is known now. (With a
         * dynamic batch axis it stays a runtime op, which the engine evaluates.)
         */
        private boolean foldShapeOfStaticInput(String in, Map<String, Object> attrs, String out) {
            ValueInfo info = null;
            for (ValueInfo v : inputs) {
                if (v.name().equals(in)) {
                    info = v;
                }
            }
            int[] shape;
            if (info != null) {
                shape = info.shape();
                if (shape == null || Arrays.stream(shape).anyMatch(d -> d < 0)) {
                    return false;
                }
            } else {
                return false;
            }
            int rank = shape.length;
            int start = clampAxis(((Number) attrs.getOrDefault("start", 0L)).longValue(), rank);
            int end = clampAxis(((Number) attrs.getOrDefault("end", (long) rank)).longValue(), rank);
            int len = Math.max(0, end - start);
            float[] data = new float[len];
            for (int i = 0; i < len; i++) {
                data[i] = shape[start + i];
            }
            constants.put(out, new Tensor(new int[] {len}, data));
            return true;
        }

        private static int clampAxis(long axis, int rank) {
            long a = axis < 0 ? axis + rank : axis;
            return (int) Math.max(0, Math.min(rank, a));
        }

        /**
         * Older opsets gave some values as attributes that opset 13 passes as inputs (Pad pads,
         * Clip min/max, Squeeze/Unsqueeze axes, Split sizes, Slice starts/ends). The engine follows
         * the input form, so such attributes become constant inputs here.
         */
        private void upgradeAttributeInputs(String type, Map<String, Object> attrs, List<String> ins, String name)
                throws ModelLoadException {
            switch (type) {
                case "Pad" -> {
                    if (opset < 11 && attrs.containsKey("pads")) {
                        setInput(ins, 1, name + "::pads", intsTensor((long[]) attrs.remove("pads")));
                        Object value = attrs.remove("value");
                        if (value != null) {
                            setInput(ins, 2, name + "::value", Tensor.scalar(((Number) value).floatValue()));
                        }
                    }
                }
                case "Clip" -> {
                    if (opset < 11) {
                        Object min = attrs.remove("min");
                        Object max = attrs.remove("max");
                        if (min != null) {
                            setInput(ins, 1, name + "::min", Tensor.scalar(((Number) min).floatValue()));
                        }
                        if (max != null) {
                            setInput(ins, 2, name + "::max", Tensor.scalar(((Number) max).floatValue()));
                        }
                    }
                }
                case "Squeeze", "Unsqueeze" -> {
                    if (opset < 13 && attrs.containsKey("axes")) {
                        setInput(ins, 1, name + "::axes", intsTensor((long[]) attrs.remove("axes")));
                    }
                }
                case "Split" -> {
                    if (opset < 13 && attrs.containsKey("split")) {
                        setInput(ins, 1, name + "::split", intsTensor((long[]) attrs.remove("split")));
                    }
                }
                case "Slice" -> {
                    if (opset < 10 && attrs.containsKey("starts")) {
                        setInput(ins, 1, name + "::starts", intsTensor((long[]) attrs.remove("starts")));
                        setInput(ins, 2, name + "::ends", intsTensor((long[]) attrs.remove("ends")));
                        if (attrs.containsKey("axes")) {
                            setInput(ins, 3, name + "::axes", intsTensor((long[]) attrs.remove("axes")));
                        }
                    }
                }
                default -> {
                }
            }
        }

        /** Puts a new constant at input position {@code index}, padding skipped optional inputs with "". */
        private void setInput(List<String> ins, int index, String baseName, Tensor value) {
            String n = baseName;
            for (int k = 2; usedNames.contains(n) || constants.containsKey(n); k++) {
                n = baseName + "_" + k;
            }
            usedNames.add(n);
            constants.put(n, value);
            while (ins.size() <= index) {
                ins.add("");
            }
            ins.set(index, n);
        }

        private static Tensor intsTensor(long[] values) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = values[i];
            }
            return new Tensor(new int[] {f.length}, f);
        }

        /** The value a Constant node stands for, in any of its attribute spellings. */
        private Tensor constantNodeValue(Map<String, Object> attrs, String name) throws ModelLoadException {
            Object v = attrs.get("value");
            if (v == null) {
                v = attrs.containsKey("value_float") ? attrs.get("value_float")
                        : attrs.containsKey("value_floats") ? attrs.get("value_floats")
                        : attrs.containsKey("value_int") ? attrs.get("value_int")
                        : attrs.get("value_ints");
            }
            if (v instanceof Tensor t) {
                return t;
            } else if (v instanceof Float f) {
                return Tensor.scalar(f);
            } else if (v instanceof Long l) {
                return Tensor.scalar(l);
            } else if (v instanceof float[] fs) {
                return new Tensor(new int[] {fs.length}, fs.clone());
            } else if (v instanceof long[] ls) {
                return intsTensor(ls);
            }
            throw new ModelLoadException(source + ": Constant node '" + name + "' has no numeric value (attributes "
                    + attrs.keySet() + "); Loupe supports value, value_float(s) and value_int(s) — re-export the model");
        }

        /** Converts the node's attributes to the engine's plain Java forms. */
        private Map<String, Object> attributes(NodeProto n, String name) throws ModelLoadException {
            Map<String, Object> m = new LinkedHashMap<>();
            for (AttributeProto a : n.getAttributeList()) {
                m.put(a.getName(), attributeValue(a, n, name));
            }
            return m;
        }

        private Object attributeValue(AttributeProto a, NodeProto n, String name) throws ModelLoadException {
            AttributeProto.AttributeType type = a.hasType() ? a.getType() : guessType(a);
            String what = "attribute '" + a.getName() + "' of node '" + name + "'";
            switch (type) {
                case FLOAT:
                    return a.getF();
                case INT:
                    return a.getI();
                case STRING:
                    return a.getS().toString(StandardCharsets.UTF_8);
                case TENSOR:
                    return decoder.decode(a.getT(), what);
                case FLOATS: {
                    float[] f = new float[a.getFloatsCount()];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = a.getFloats(i);
                    }
                    return f;
                }
                case INTS: {
                    long[] l = new long[a.getIntsCount()];
                    for (int i = 0; i < l.length; i++) {
                        l[i] = a.getInts(i);
                    }
                    return l;
                }
                case STRINGS: {
                    String[] s = new String[a.getStringsCount()];
                    for (int i = 0; i < s.length; i++) {
                        s[i] = a.getStrings(i).toString(StandardCharsets.UTF_8);
                    }
                    return s;
                }
                case TENSORS: {
                    Tensor[] t = new Tensor[a.getTensorsCount()];
                    for (int i = 0; i < t.length; i++) {
                        t[i] = decoder.decode(a.getTensors(i), what);
                    }
                    return t;
                }
                case GRAPH:
                case GRAPHS:
                    throw new ModelLoadException(source + ": node '" + name + "' (" + n.getOpType() + ") holds a subgraph in "
                            + "attribute '" + a.getName() + "'; Loupe does not run control flow (If, Loop, Scan) — export the "
                            + "model in inference mode with fixed shapes so the exporter removes it");
                default:
                    throw new ModelLoadException(source + ": " + what + " (" + n.getOpType() + ") has type " + type
                            + ", which Loupe cannot read; re-export the model");
            }
        }

        /** Files from IR version 1 have no attribute type; the one value field that is set tells it. */
        private static AttributeProto.AttributeType guessType(AttributeProto a) {
            if (a.hasF()) {
                return AttributeProto.AttributeType.FLOAT;
            } else if (a.hasI()) {
                return AttributeProto.AttributeType.INT;
            } else if (a.hasS()) {
                return AttributeProto.AttributeType.STRING;
            } else if (a.hasT()) {
                return AttributeProto.AttributeType.TENSOR;
            } else if (a.hasG()) {
                return AttributeProto.AttributeType.GRAPH;
            } else if (a.getFloatsCount() > 0) {
                return AttributeProto.AttributeType.FLOATS;
            } else if (a.getIntsCount() > 0) {
                return AttributeProto.AttributeType.INTS;
            } else if (a.getStringsCount() > 0) {
                return AttributeProto.AttributeType.STRINGS;
            } else if (a.getTensorsCount() > 0) {
                return AttributeProto.AttributeType.TENSORS;
            }
            return AttributeProto.AttributeType.INTS; // an empty list
        }

        /**
         * Makes sure a graph output's name exists after no-op bypassing: a bypassed name gets a
         * pass-through node (or becomes a constant when its source is one).
         */
        private void exposeOutput(String out, List<Node> nodes) throws ModelLoadException {
            String src = alias.get(out);
            if (src == null) {
                return;
            }
            if (isConstant(src)) {
                constants.put(out, constant(src));
                return;
            }
            Op op = OpFactory.supports("Identity") ? OpFactory.create("Identity", out, Attributes.empty()) : new PassThrough();
            nodes.add(new Node(out + "::identity", op, List.of(src), List.of(out)));
        }

        /** The nodes that lead to an output, in order. */
        private static List<Node> liveNodes(List<Node> nodes, List<ValueInfo> outputs) {
            Set<String> needed = new HashSet<>();
            for (ValueInfo v : outputs) {
                needed.add(v.name());
            }
            boolean[] keep = new boolean[nodes.size()];
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node n = nodes.get(i);
                for (String o : n.outputs()) {
                    if (needed.contains(o)) {
                        keep[i] = true;
                        break;
                    }
                }
                if (keep[i]) {
                    needed.addAll(n.inputs());
                }
            }
            List<Node> live = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                if (keep[i]) {
                    live.add(nodes.get(i));
                }
            }
            return live;
        }

        /** The constants that live nodes read, plus constant outputs; decoded here if still pending. */
        private Map<String, Tensor> liveConstants(List<Node> live, List<ValueInfo> outputs) throws ModelLoadException {
            Map<String, Tensor> kept = new LinkedHashMap<>();
            Set<String> produced = new HashSet<>();
            for (Node n : live) {
                produced.addAll(n.outputs());
            }
            Set<String> inputNames = new HashSet<>();
            for (ValueInfo v : inputs) {
                inputNames.add(v.name());
            }
            List<String> wanted = new ArrayList<>();
            for (Node n : live) {
                wanted.addAll(n.inputs());
            }
            for (ValueInfo v : outputs) {
                wanted.add(v.name());
            }
            for (String name : wanted) {
                if (!name.isEmpty() && !kept.containsKey(name) && !produced.contains(name) && !inputNames.contains(name)
                        && isConstant(name)) {
                    kept.put(name, constant(name));
                }
            }
            return kept;
        }
    }
}
