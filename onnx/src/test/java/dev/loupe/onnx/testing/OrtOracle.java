package dev.loupe.onnx.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.loupe.engine.Tensor;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs a model in ONNX Runtime (CPU), as a reference that shares no code with Loupe. */
public final class OrtOracle {
    private OrtOracle() {
    }

    /** Runs {@code model} on float inputs and returns every graph output as a float tensor. */
    public static Map<String, Tensor> run(byte[] model, Map<String, Tensor> feeds) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            // no graph rewrites: compare against the plain op semantics
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, opts)) {
                Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
                try {
                    for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
                        Tensor t = e.getValue();
                        long[] shape = new long[t.rank()];
                        for (int i = 0; i < shape.length; i++) {
                            shape[i] = t.dim(i);
                        }
                        inputs.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(t.data()), shape));
                    }
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    try (OrtSession.Result r = session.run(inputs)) {
                        for (Map.Entry<String, OnnxValue> e : r) {
                            OnnxTensor v = (OnnxTensor) e.getValue();
                            long[] s = v.getInfo().getShape();
                            int[] shape = new int[s.length];
                            for (int i = 0; i < s.length; i++) {
                                shape[i] = (int) s[i];
                            }
                            FloatBuffer fb = v.getFloatBuffer();
                            float[] data = new float[fb.remaining()];
                            fb.get(data);
                            out.put(e.getKey(), new Tensor(shape, data));
                        }
                    }
                    return out;
                } finally {
                    for (OnnxTensor t : inputs.values()) {
                        t.close();
                    }
                }
            }
        }
    }
}
