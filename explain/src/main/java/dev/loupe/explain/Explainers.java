package dev.loupe.explain;

import dev.loupe.engine.Buffers;
import dev.loupe.engine.Graph;
import dev.loupe.engine.Tensor;
import dev.loupe.engine.Trace;
import dev.loupe.explain.cam.Cam;
import dev.loupe.explain.cam.CamLayers;
import dev.loupe.explain.cam.GradCam;
import dev.loupe.explain.cam.GradCamPlusPlus;
import dev.loupe.explain.cam.GuidedGradCam;
import dev.loupe.explain.cam.ScoreCam;
import dev.loupe.explain.cam.Upsample;
import dev.loupe.explain.gradient.DeconvNet;
import dev.loupe.explain.gradient.GuidedBackprop;
import dev.loupe.explain.gradient.IntegratedGradients;
import dev.loupe.explain.gradient.Quadrature;
import dev.loupe.explain.gradient.Saliency;
import dev.loupe.explain.gradient.SmoothGrad;
import dev.loupe.explain.perturbation.Fill;
import dev.loupe.explain.perturbation.Lime;
import dev.loupe.explain.perturbation.Occlusion;
import dev.loupe.explain.perturbation.Rise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The one entry point the CLI needs: methods by name, options as strings, validation with messages
 * that list the valid choices. Holds no state.
 *
 * <h2>Methods and options</h2>
 * Option values are strings (numbers as text); where noted a {@link Tensor} is accepted too.
 * <ul>
 *   <li>{@code saliency}, {@code deconvnet}, {@code guided-backprop}: no options. Signed maps
 *       shaped like the input (no absolute value, no channel maximum: those are for rendering).</li>
 *   <li>{@code occlusion}: {@code window} (pixels, default {@code max(1, min(H,W)/8)}),
 *       {@code stride} (default {@code max(1, window/2)}), {@code fill} = {@code zero} (default) |
 *       {@code gray} | {@code mean} | {@code blur} | a number in model space; {@code gray} is raw
 *       pixel 0.5 and needs {@code mean} and {@code std} (the preprocessing, comma-separated per
 *       channel); {@code blur-sigma} (pixels, default 5) for {@code fill=blur}; {@code batch}
 *       (default 16); {@code incremental} (default true: recompute only each window's receptive
 *       field, falling back to whole passes for graphs it cannot handle, see
 *       {@code info.path} and {@code info.incrementalFallback}; false forces whole passes). The
 *       map is the score (logit) drop; {@code info.probabilityDrop} holds the
 *       probability-drop map and {@code info.windows} the window count.</li>
 *   <li>{@code integrated-gradients}: {@code steps} (default 50), {@code baseline} = {@code zero}
 *       (default) | {@code blur} | a number | a {@link Tensor} shaped like one input item;
 *       {@code blur-sigma} (default 5); {@code integration} = {@code trapezoid} (default, Captum's
 *       riemann_trapezoid) | {@code trapezoid-exact} | {@code gauss-legendre}; {@code batch}
 *       (default 16). {@code info.completenessGap} = {@code Σ attr − (f(x) − f(baseline))}.</li>
 *   <li>{@code smoothgrad}: {@code samples} (default 50), {@code noise} (σ as a fraction of the
 *       item's value range max−min, default 0.15), {@code of} = the base method: {@code saliency}
 *       (default) | {@code deconvnet} | {@code guided-backprop} | {@code integrated-gradients}
 *       (which then also takes that method's {@code steps}, {@code baseline}, {@code integration},
 *       {@code blur-sigma}), {@code batch} (default 16), {@code seed} (default 0).</li>
 *   <li>{@code gradcam}: {@code layer} (a tensor name; default {@link CamLayers#defaultLayer}),
 *       {@code upsample} = {@code none} (default: [N, 1, h, w] at layer resolution, what
 *       {@code --npy} writes) | {@code bilinear} (what pictures use) | {@code nearest} (to the
 *       input's H×W). See {@link GradCam}.</li>
 *   <li>{@code gradcam++}: {@code layer}, {@code upsample} as for gradcam. The closed form and
 *       when it is exact: {@link GradCamPlusPlus}.</li>
 *   <li>{@code counterfactual}: Grad-CAM with negated gradients (regions that lower the score);
 *       {@code layer}, {@code upsample}.</li>
 *   <li>{@code cam}: the original CAM, for models ending in global average pooling and one linear
 *       layer ({@link Cam}); the layer is the pooled tensor; {@code upsample}.</li>
 *   <li>{@code guided-gradcam}: {@code layer}, {@code upsample} = {@code bilinear} (default) |
 *       {@code nearest} (Captum's setting, used by the parity tests). Shaped like the input.</li>
 *   <li>{@code score-cam}: {@code layer}, {@code upsample}, {@code batch} (channels per forward
 *       pass, default 16), {@code max-channels} (0 = all, the default; else only the channels with
 *       the largest mean activation). {@code info.channels}: channels evaluated per item.</li>
 *   <li>{@code rise}: {@code masks} (default 2000), {@code cell} (pixels, default
 *       {@code ceil(min(H,W)/7)}), {@code probability} (of keeping a cell, default 0.5),
 *       {@code seed} (default 0), {@code batch} (default 16). [N, 1, H, W].</li>
 *   <li>{@code lime}: {@code samples} (default 1000), {@code segments} (SLIC superpixels requested,
 *       default 50), {@code kernel-width} (default 0.25), {@code seed} (default 0), {@code batch}
 *       (default 16), {@code fill} = what off superpixels become, as for occlusion (default
 *       {@code mean}: each channel's image mean), with {@code mean}, {@code std},
 *       {@code blur-sigma}. [N, 1, H, W]. {@code info.topSuperpixels}: the ten superpixels of the
 *       first item with the largest coefficients ({@link Lime.Superpixel}: id, weight, pixels);
 *       {@code info.fits}: every item's {@link Lime.Fit}; {@code info.segmentation}: the
 *       superpixel ids, [N, 1, H, W]; {@code info.segments}, {@code info.intercept}, {@code info.r2}
 *       of the first item.</li>
 * </ul>
 * Long methods report progress through {@link Progress}.
 *
 * <h2>Contrastive explanations: why P rather than Q</h2>
 * {@link Target#contrast(int, int)} works with every method. Gradient methods (saliency,
 * deconvnet, guided-backprop, integrated-gradients, smoothgrad) and the gradient CAMs (gradcam,
 * gradcam++, counterfactual, guided-gradcam) backpropagate {@code y_P − y_Q}, the difference of
 * the two logits, which equals the log-odds {@code log(p_P / p_Q)} and does not depend on the
 * other classes; for plain gradients the map is exactly map(P) − map(Q), for Grad-CAM the channel
 * weights are {@code α^P − α^Q} before the ReLU (see {@link GradCam}). CAM uses {@code W[P] − W[Q]};
 * occlusion the drop of {@code y_P − y_Q}; the probability-weighted methods (score-cam, rise,
 * lime) the probability margin {@code p_P − p_Q}.
 */
public final class Explainers {
    private static final Map<String, Set<String>> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("saliency", Set.of());
        OPTIONS.put("deconvnet", Set.of());
        OPTIONS.put("guided-backprop", Set.of());
        OPTIONS.put("integrated-gradients", Set.of("steps", "baseline", "blur-sigma", "integration", "batch"));
        OPTIONS.put("smoothgrad", Set.of("samples", "noise", "of", "batch", "seed", "steps", "baseline", "blur-sigma", "integration"));
        OPTIONS.put("occlusion", Set.of("window", "stride", "fill", "mean", "std", "blur-sigma", "batch", "incremental"));
        OPTIONS.put("gradcam", Set.of("layer", "upsample"));
        OPTIONS.put("guided-gradcam", Set.of("layer", "upsample"));
        OPTIONS.put("gradcam++", Set.of("layer", "upsample"));
        OPTIONS.put("counterfactual", Set.of("layer", "upsample"));
        OPTIONS.put("cam", Set.of("upsample"));
        OPTIONS.put("score-cam", Set.of("layer", "upsample", "batch", "max-channels"));
        OPTIONS.put("rise", Set.of("masks", "cell", "probability", "seed", "batch"));
        OPTIONS.put("lime", Set.of("samples", "segments", "kernel-width", "seed", "batch", "fill", "mean", "std", "blur-sigma"));
    }

    private Explainers() {
    }

    /** The method names, in a sensible display order. */
    public static List<String> methodNames() {
        return List.copyOf(OPTIONS.keySet());
    }

    /** The options {@code method} accepts, sorted. */
    public static Set<String> optionNames(String method) {
        return new TreeSet<>(optionsOf(method));
    }

    /**
     * Runs the forward pass explanations start from, on a copy of the graph whose batch axis is
     * dynamic (so perturbation methods can batch). Pass the trace to {@link #explain(Trace, String, Target, Map, Progress)}
     * to serve several methods from one forward pass.
     */
    public static Trace forward(Graph graph, Tensor input) {
        return Models.forward(Models.batchable(graph), input);
    }

    /** Explains {@code input} with one method: runs a forward pass, then the method. */
    public static Attribution explain(Graph graph, Tensor input, String method, Target target, Map<String, ?> options) {
        return explain(graph, input, method, target, options, Progress.NONE);
    }

    public static Attribution explain(Graph graph, Tensor input, String method, Target target, Map<String, ?> options,
            Progress progress) {
        validate(method, options);
        // The trace and everything computed from it die here: their arrays go back to the pool for
        // the next call, and the map, which may be one of them, is copied out first.
        try (Buffers.Scope scope = Buffers.recycling()) {
            long t0 = System.nanoTime();
            Trace trace = forward(graph, input);
            long forwardNanos = System.nanoTime() - t0;
            Attribution a = explain(trace, method, target, options, progress);
            Attribution out = detached(a, forwardNanos, 1);
            scope.releaseAll();
            return out;
        }
    }

    /**
     * {@code a} with a map of its own (the one it has may be an array the recycling pool takes
     * back), and the given forward time and passes added.
     */
    private static Attribution detached(Attribution a, long extraForwardNanos, int extraForwardPasses) {
        return new Attribution(a.map().copy(), a.method(), a.target(), a.classes(), a.scores(), a.probabilities(), a.layer(),
                a.elapsed().plusNanos(extraForwardNanos), a.forwardPasses() + extraForwardPasses, a.backwardPasses(), a.info());
    }

    /**
     * Several methods from one forward pass (the compare view).
     *
     * @param options per method name; methods without an entry use defaults
     */
    public static List<Attribution> compare(Graph graph, Tensor input, List<String> methods, Target target,
            Map<String, ? extends Map<String, ?>> options, Progress progress) {
        for (String m : methods) {
            validate(m, optionsFor(options, m));
        }
        try (Buffers.Scope scope = Buffers.recycling()) {
            Trace trace = forward(graph, input);
            List<Attribution> out = new ArrayList<>();
            for (String m : methods) {
                Attribution a = explain(trace, m, target, optionsFor(options, m), progress);
                out.add(detached(a, 0, 0));
            }
            scope.releaseAll();
            return out;
        }
    }

    /**
     * Explains the input of an existing trace, reusing its forward pass.
     *
     * @throws IllegalArgumentException for an unknown method, option, option value, layer or a target out of range
     */
    public static Attribution explain(Trace trace, String method, Target target, Map<String, ?> options, Progress progress) {
        validate(method, options);
        Opts o = new Opts(method, options);
        long t0 = System.nanoTime();
        Tensor logits = Models.logits(trace);
        ResolvedTarget rt = target.resolve(logits);
        RunContext ctx = new RunContext(progress);
        Tensor input = trace.get(Models.inputName(trace.graph()));
        Map<String, Object> info = new LinkedHashMap<>();
        String layer = null;
        Tensor map;
        switch (method) {
            case "saliency" -> map = new Saliency().attribute(trace, rt, ctx);
            case "deconvnet" -> map = new DeconvNet().attribute(trace, rt, ctx);
            case "guided-backprop" -> map = new GuidedBackprop().attribute(trace, rt, ctx);
            case "integrated-gradients" -> {
                IntegratedGradients ig = integratedGradients(o, input);
                map = ig.attribute(trace, rt, ctx);
                float[] gaps = ig.lastGaps();
                info.put("completenessGap", gaps[0]);
                info.put("completenessGaps", gaps);
                info.put("steps", o.integer("steps", 50, 1));
                info.put("integration", o.string("integration", "trapezoid"));
            }
            case "smoothgrad" -> {
                String of = o.string("of", "saliency");
                Attributor base = switch (of) {
                    case "saliency" -> new Saliency();
                    case "deconvnet" -> new DeconvNet();
                    case "guided-backprop" -> new GuidedBackprop();
                    case "integrated-gradients" -> integratedGradients(o, input);
                    default -> throw new IllegalArgumentException("unknown base method of=" + of
                            + "; valid: saliency, deconvnet, guided-backprop, integrated-gradients");
                };
                if (!of.equals("integrated-gradients")) {
                    for (String k : List.of("steps", "baseline", "blur-sigma", "integration")) {
                        if (options.containsKey(k)) {
                            throw new IllegalArgumentException("option " + k + " applies only with of=integrated-gradients");
                        }
                    }
                }
                SmoothGrad.Options so = new SmoothGrad.Options(o.integer("samples", 50, 1), o.number("noise", 0.15, 0),
                        o.integer("batch", 16, 1), o.integer("seed", 0, Integer.MIN_VALUE));
                map = new SmoothGrad(base, so).attribute(trace, rt, ctx);
                info.put("of", of);
                info.put("samples", so.samples());
                info.put("noise", so.noise());
            }
            case "occlusion" -> {
                Images.requireImage(input, "the occlusion input");
                int side = Math.min(input.dim(2), input.dim(3));
                int window = o.integer("window", Math.max(1, side / 8), 1);
                int stride = o.integer("stride", Math.max(1, window / 2), 1);
                Fill fill = Fill.parse(o.string("fill", "zero"), normalization(o), o.number("blur-sigma", 5, 0));
                Occlusion occ = new Occlusion(new Occlusion.Options(window, stride, fill, o.integer("batch", 16, 1),
                        o.bool("incremental", true)));
                map = occ.attribute(trace, rt, ctx);
                info.put("probabilityDrop", occ.lastProbabilityDrop());
                info.put("path", occ.lastPath());
                if (occ.lastFallback() != null) {
                    info.put("incrementalFallback", "plain occlusion: " + occ.lastFallback());
                }
                info.put("window", window);
                info.put("stride", stride);
                info.put("windows", Occlusion.positions(input.dim(2), window, stride)
                        * Occlusion.positions(input.dim(3), window, stride));
            }
            case "gradcam", "gradcam++", "counterfactual" -> {
                layer = camLayer(o, trace);
                String up = upsampleMode(o);
                map = switch (method) {
                    case "gradcam" -> GradCam.compute(trace, layer, rt, ctx);
                    case "gradcam++" -> GradCamPlusPlus.compute(trace, layer, rt, ctx);
                    default -> GradCam.counterfactual(trace, layer, rt, ctx);
                };
                map = upsample(map, input, up);
                info.put("upsample", up);
            }
            case "cam" -> {
                String up = upsampleMode(o);
                Cam.Head head = Cam.head(trace);
                layer = head.layer();
                map = upsample(Cam.compute(trace, head, rt), input, up);
                info.put("upsample", up);
                info.put("linear", head.linear());
            }
            case "score-cam" -> {
                layer = camLayer(o, trace);
                String up = upsampleMode(o);
                ScoreCam.Options so = new ScoreCam.Options(o.integer("batch", 16, 1), o.integer("max-channels", 0, 0));
                map = upsample(ScoreCam.compute(trace, layer, rt, so, ctx), input, up);
                int k = trace.get(layer).dim(1);
                info.put("upsample", up);
                info.put("channels", so.maxChannels() == 0 ? k : Math.min(k, so.maxChannels()));
            }
            case "guided-gradcam" -> {
                layer = camLayer(o, trace);
                String up = o.string("upsample", "bilinear");
                if (up.equals("none")) {
                    throw new IllegalArgumentException("guided-gradcam needs the map at input size; upsample must be bilinear or nearest");
                }
                map = GuidedGradCam.compute(trace, layer, rt, ctx, Upsample.Mode.parse(up));
                info.put("upsample", up);
            }
            case "rise" -> {
                Images.requireImage(input, "the RISE input");
                int cell = o.integer("cell", Rise.defaultCell(input.dim(2), input.dim(3)), 1);
                double p = o.number("probability", 0.5, 0);
                Rise.Options ro = new Rise.Options(o.integer("masks", 2000, 1), cell, p,
                        o.integer("seed", 0, Integer.MIN_VALUE), o.integer("batch", 16, 1));
                map = new Rise(ro).attribute(trace, rt, ctx);
                info.put("masks", ro.masks());
                info.put("cell", ro.cell());
                info.put("probability", ro.probability());
                info.put("seed", ro.seed());
            }
            case "lime" -> {
                Images.requireImage(input, "the LIME input");
                Fill fill = Fill.parse(o.string("fill", "mean"), normalization(o), o.number("blur-sigma", 5, 0));
                Lime.Options lo = new Lime.Options(o.integer("samples", 1000, 2), o.integer("segments", 50, 1),
                        o.number("kernel-width", 0.25, 0), o.integer("seed", 0, Integer.MIN_VALUE),
                        o.integer("batch", 16, 1), fill);
                Lime lime = new Lime(lo);
                map = lime.attribute(trace, rt, ctx);
                List<Lime.Fit> fits = lime.lastFits();
                Lime.Fit first = fits.get(0);
                info.put("topSuperpixels", first.top(10));
                info.put("segments", first.segmentation().count());
                info.put("intercept", first.intercept());
                info.put("r2", first.r2());
                info.put("fits", fits);
                info.put("segmentation", segmentation(fits));
                info.put("samples", lo.samples());
                info.put("kernelWidth", lo.kernelWidth());
            }
            default -> throw new IllegalStateException(method);
        }
        int n = rt.size();
        float[] scores = new float[n];
        float[] probs = new float[n];
        for (int b = 0; b < n; b++) {
            scores[b] = rt.score(logits, b);
            probs[b] = rt.probability(logits, b);
        }
        return new Attribution(map, method, target, rt.classes(), scores, probs, layer,
                Duration.ofNanos(System.nanoTime() - t0), ctx.forwardPasses(), ctx.backwardPasses(), info);
    }

    private static String camLayer(Opts o, Trace trace) {
        String layer = o.string("layer", null);
        return layer != null ? layer : CamLayers.defaultLayer(trace);
    }

    /** The {@code upsample} option of the layer-resolution CAMs, checked: none (default), bilinear, nearest. */
    private static String upsampleMode(Opts o) {
        String up = o.string("upsample", "none");
        if (!up.equals("none")) {
            Upsample.Mode.parse(up);
        }
        return up;
    }

    private static Tensor upsample(Tensor map, Tensor input, String mode) {
        if (mode.equals("none")) {
            return map;
        }
        Images.requireImage(input, "the input of an upsampled CAM");
        return Upsample.resize(map, input.dim(2), input.dim(3), Upsample.Mode.parse(mode));
    }

    /** The superpixel ids of every item, [N, 1, H, W]. */
    private static Tensor segmentation(List<Lime.Fit> fits) {
        Lime.Fit f0 = fits.get(0);
        int h = f0.segmentation().height();
        int w = f0.segmentation().width();
        float[] d = new float[fits.size() * h * w];
        for (int b = 0; b < fits.size(); b++) {
            int[] labels = fits.get(b).segmentation().labels();
            for (int i = 0; i < labels.length; i++) {
                d[b * h * w + i] = labels[i];
            }
        }
        return new Tensor(new int[] {fits.size(), 1, h, w}, d);
    }

    private static Map<String, ?> optionsFor(Map<String, ? extends Map<String, ?>> options, String method) {
        Map<String, ?> o = options.get(method);
        return o == null ? Map.of() : o;
    }

    private static IntegratedGradients integratedGradients(Opts o, Tensor input) {
        Object b = o.raw("baseline");
        UnaryOperator<Tensor> baseline;
        if (b == null || "zero".equals(b)) {
            baseline = IntegratedGradients.zeroBaseline();
        } else if (b instanceof Tensor t) {
            baseline = IntegratedGradients.fixedBaseline(t);
        } else if ("blur".equals(b)) {
            baseline = IntegratedGradients.blurBaseline(o.number("blur-sigma", 5, 0));
        } else {
            float v;
            try {
                v = Float.parseFloat(b.toString());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unknown baseline '" + b + "'; valid: zero, blur, a number, or a tensor");
            }
            baseline = x -> {
                Tensor t = Tensor.zeros(x.shape());
                java.util.Arrays.fill(t.data(), v);
                return t;
            };
        }
        Quadrature.Rule rule = Quadrature.Rule.parse(o.string("integration", "trapezoid"));
        int steps = o.integer("steps", 50, rule == Quadrature.Rule.GAUSS_LEGENDRE ? 1 : 2);
        return new IntegratedGradients(new IntegratedGradients.Options(steps, baseline, rule, o.integer("batch", 16, 1)));
    }

    private static Normalization normalization(Opts o) {
        String mean = o.string("mean", null);
        String std = o.string("std", null);
        if (mean == null && std == null) {
            return null;
        }
        if (mean == null || std == null) {
            throw new IllegalArgumentException("give both mean and std (comma-separated per channel), or neither");
        }
        return new Normalization(floats("mean", mean), floats("std", std));
    }

    private static float[] floats(String name, String s) {
        String[] parts = s.split(",");
        float[] f = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                f[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + name + " must be comma-separated numbers, got '" + s + "'");
            }
        }
        return f;
    }

    private static Set<String> optionsOf(String method) {
        Set<String> allowed = OPTIONS.get(method);
        if (allowed == null) {
            throw new IllegalArgumentException("unknown method '" + method + "'; valid methods: " + String.join(", ", OPTIONS.keySet()));
        }
        return allowed;
    }

    private static void validate(String method, Map<String, ?> options) {
        Set<String> allowed = optionsOf(method);
        for (String k : options.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("unknown option '" + k + "' for " + method + "; valid options: "
                        + (allowed.isEmpty() ? "none" : String.join(", ", new TreeSet<>(allowed))));
            }
        }
    }

    /** Typed access to string options with defaults and range checks. */
    private record Opts(String method, Map<String, ?> values) {
        Object raw(String key) {
            return values.get(key);
        }

        String string(String key, String fallback) {
            Object v = values.get(key);
            return v == null ? fallback : v.toString();
        }

        boolean bool(String key, boolean fallback) {
            Object v = values.get(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof Boolean bv) {
                return bv;
            }
            return switch (v.toString().trim().toLowerCase()) {
                case "true", "yes", "1", "on" -> true;
                case "false", "no", "0", "off" -> false;
                default -> throw new IllegalArgumentException(method + " option " + key + " must be true or false, got '" + v + "'");
            };
        }

        int integer(String key, int fallback, int min) {
            Object v = values.get(key);
            if (v == null) {
                return fallback;
            }
            int i;
            try {
                i = v instanceof Number num ? num.intValue() : Integer.parseInt(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(method + " option " + key + " must be an integer, got '" + v + "'");
            }
            if (i < min) {
                throw new IllegalArgumentException(method + " option " + key + " must be at least " + min + ", got " + i);
            }
            return i;
        }

        double number(String key, double fallback, double min) {
            Object v = values.get(key);
            if (v == null) {
                return fallback;
            }
            double d;
            try {
                d = v instanceof Number num ? num.doubleValue() : Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(method + " option " + key + " must be a number, got '" + v + "'");
            }
            if (!(d >= min)) {
                throw new IllegalArgumentException(method + " option " + key + " must be at least " + min + ", got " + d);
            }
            return d;
        }
    }
}
