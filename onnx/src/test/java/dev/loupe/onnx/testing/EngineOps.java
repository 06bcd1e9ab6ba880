package dev.loupe.onnx.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loupe.engine.ops.OpFactory;
import dev.loupe.onnx.proto.ModelProto;
import dev.loupe.onnx.proto.NodeProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * Skips a test (with the op names) while the engine lacks an op it needs: the importer and the
 * engine's ops are written in parallel, and a missing op is a known gap, not an importer failure.
 */
public final class EngineOps {
    private EngineOps() {
    }

    /** Skips unless the engine implements every op type in the model (Constant and bypassed no-ops aside). */
    public static void assumeSupported(ModelProto model) {
        Set<String> missing = new TreeSet<>();
        for (NodeProto n : model.getGraph().getNodeList()) {
            String t = n.getOpType();
            if (!t.equals("Constant") && !t.equals("Identity") && !t.equals("Dropout") && !OpFactory.supports(t)) {
                missing.add(t);
            }
        }
        assumeTrue(missing.isEmpty(), "the engine does not implement " + missing + " yet; skipping");
    }

    public static void assumeSupported(Path modelFile) throws IOException {
        assumeSupported(ModelProto.parseFrom(Files.readAllBytes(modelFile)));
    }
}
