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
        creators.put("Conv", Conv::fromAttributes);
        creators.put("MaxPool", MaxPool::fromAttributes);
        creators.put("AveragePool", AveragePool::fromAttributes);
        creators.put("GlobalAveragePool", a -> new GlobalAveragePool());
        creators.put("GlobalMaxPool", a -> new GlobalMaxPool());
        creators.put("Gemm", Gemm::fromAttributes);
        creators.put("MatMul", a -> new MatMul());
        creators.put("BatchNormalization", BatchNormalization::fromAttributes);
        creators.put("LRN", LRN::fromAttributes);
    }
}
