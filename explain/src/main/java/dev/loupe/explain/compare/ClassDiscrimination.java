package dev.loupe.explain.compare;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.Attribution;
import dev.loupe.explain.Explainers;
import dev.loupe.explain.Progress;
import dev.loupe.explain.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The lecture's test of class discrimination: explain the same image for two classes with each
 * method, from one forward pass, and measure how alike the two maps are. Guided backpropagation
 * gives nearly the same map whatever the class (it reconstructs the image); Grad-CAM should not.
 *
 * <p>Similarity is Spearman's rank correlation of the per-pixel magnitudes: for input-shaped maps
 * the maximum of |value| over channels (the saliency picture), for layer maps the map itself. Rank
 * correlation ignores the scale difference between the two classes' maps.
 */
public final class ClassDiscrimination {
    private ClassDiscrimination() {
    }

    /** One method's maps for both classes and how alike they are (NaN when a map is constant). */
    public record Row(String method, Attribution first, Attribution second, double spearman) {
    }

    public static List<Row> run(Trace trace, List<String> methods, int classA, int classB,
            Map<String, ? extends Map<String, ?>> options, Progress progress) {
        if (classA == classB) {
            throw new IllegalArgumentException("class discrimination needs two different classes, got " + classA + " twice");
        }
        List<Row> rows = new ArrayList<>();
        for (String m : methods) {
            Map<String, ?> o = options.containsKey(m) ? options.get(m) : Map.of();
            Attribution a = Explainers.explain(trace, m, Target.of(classA), o, progress);
            Attribution b = Explainers.explain(trace, m, Target.of(classB), o, progress);
            rows.add(new Row(m, a, b, similarity(a.map(), b.map())));
        }
        return rows;
    }

    /** Spearman's ρ of the two maps' per-pixel magnitudes (first batch item); NaN if either is constant. */
    public static double similarity(Tensor a, Tensor b) {
        Tensor pa = magnitude(a);
        Tensor pb = magnitude(b);
        if (isConstant(pa) || isConstant(pb)) {
            return Double.NaN;
        }
        return RankCorrelation.spearman(pa, pb);
    }

    /** Max |value| over the channel axis of item 0 of an [N, C, H, W] map; other ranks as they are. */
    static Tensor magnitude(Tensor map) {
        if (map.rank() != 4) {
            return map;
        }
        int c = map.dim(1);
        int plane = map.dim(2) * map.dim(3);
        float[] out = new float[plane];
        float[] d = map.data();
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < plane; i++) {
                out[i] = Math.max(out[i], Math.abs(d[ch * plane + i]));
            }
        }
        return Tensor.of(out, map.dim(2), map.dim(3));
    }

    private static boolean isConstant(Tensor t) {
        float[] d = t.data();
        for (float v : d) {
            if (v != d[0]) {
                return false;
            }
        }
        return true;
    }
}
