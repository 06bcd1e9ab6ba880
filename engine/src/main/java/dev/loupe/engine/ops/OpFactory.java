package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds engine ops from ONNX op types and attributes. Constant inputs (such as a Reshape shape)
 * stay graph inputs; ops read them at run time.
 */
public final class OpFactory {
    private static final Map<String, Function<Attributes, Op>> CREATORS = new TreeMap<>();

    static {
        NnOps.register(CREATORS);
        TensorOps.register(CREATORS);
    }

    private OpFactory() {
    }

    public static boolean supports(String opType) {
        return CREATORS.containsKey(opType);
    }

    /** The supported op types, sorted. */
    public static java.util.Set<String> supported() {
        return java.util.Collections.unmodifiableSet(CREATORS.keySet());
    }

    /**
     * Creates the op for an ONNX node.
     *
     * @throws UnsupportedOpException naming the op, the node and the supported ops
     */
    public static Op create(String opType, String nodeName, Attributes attributes) {
        Function<Attributes, Op> creator = CREATORS.get(opType);
        if (creator == null) {
            throw new UnsupportedOpException("unsupported op '" + opType + "' at node '" + nodeName
                    + "'; Loupe supports: " + String.join(", ", CREATORS.keySet()));
        }
        try {
            return creator.apply(attributes);
        } catch (UnsupportedOpException e) {
            throw new UnsupportedOpException("node '" + nodeName + "' (" + opType + "): " + e.getMessage());
        }
    }
}
