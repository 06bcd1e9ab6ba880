package dev.loupe.engine.ops;

import dev.loupe.engine.Op;
import java.util.Map;
import java.util.function.Function;

/** Registers element-wise, activation and shape ops. */
final class TensorOps {
    private TensorOps() {
    }

    static void register(Map<String, Function<Attributes, Op>> creators) {
    }
}
