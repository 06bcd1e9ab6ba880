package dev.loupe.explain.perturbation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.engine.Graph;
import dev.loupe.engine.Parallel;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.Models;
import dev.loupe.explain.ResolvedTarget;
import dev.loupe.explain.RunContext;
import dev.loupe.explain.Scores;
import dev.loupe.onnx.OnnxImporter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskedScoresTest {
    /**
     * Each mask's score must be the one a lone forward pass of that masked image gives, whatever
     * the thread count: with two threads and per-thread batches the masks are split, and a score
     * landing at the wrong index would show here.
     */
    @Test
    void scoresMatchOneForwardPerMaskOnOneThreadOrTwo() throws Exception {
        Path dir = Path.of(MaskedScoresTest.class.getResource("/parity/tiny_resnet/model.onnx").toURI()).getParent();
        Graph graph = Models.batchable(OnnxImporter.load(dir.resolve("model.onnx")));
        Tensor image = Npy.read(dir.resolve("input.npy"));
        int hw = image.dim(2) * image.dim(3);
        Random rnd = new Random(7);
        List<float[]> masks = new ArrayList<>();
        for (int j = 0; j < 21; j++) {
            float[] m = new float[hw];
            for (int i = 0; i < hw; i++) {
                m[i] = rnd.nextFloat();
            }
            masks.add(m);
        }
        float[] fillData = new float[image.size()];
        for (int i = 0; i < fillData.length; i++) {
            fillData[i] = (float) rnd.nextGaussian();
        }
        Tensor fill = new Tensor(image.shape(), fillData);
        ResolvedTarget target = new ResolvedTarget(new int[] {2}, 5);

        float[] want = new float[masks.size()];
        float[] x = image.data();
        int c = image.dim(1);
        for (int j = 0; j < masks.size(); j++) {
            float[] one = new float[x.length];
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < hw; i++) {
                    float m = masks.get(j)[i];
                    one[ch * hw + i] = x[ch * hw + i] * m + fillData[ch * hw + i] * (1 - m);
                }
            }
            float[] p = Scores.softmax(Models.logits(graph, new Tensor(image.shape(), one)), 0);
            want[j] = p[2] - p[5];
        }

        int before = Parallel.threads();
        try {
            for (int perThread : new int[] {0, 8}) {
                for (int threads = 1; threads <= 2; threads++) {
                    Parallel.setThreads(threads);
                    RunContext context = RunContext.quiet();
                    float[] got = MaskedScores.evaluate(graph, image, fill, masks, target, context, perThread);
                    String where = threads + " thread(s), per-thread batches of " + perThread;
                    for (int j = 0; j < want.length; j++) {
                        assertEquals(want[j], got[j], 1e-5, "mask " + j + " on " + where);
                    }
                    // One batch unless two threads each take batches of at most 8 masks, an even count.
                    assertEquals(threads == 2 && perThread > 0 ? 4 : 1, context.forwardPasses(), "forward passes on " + where);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
