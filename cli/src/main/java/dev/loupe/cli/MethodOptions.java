package dev.loupe.cli;

import dev.loupe.engine.Tensor;
import dev.loupe.engine.io.Npy;
import dev.loupe.explain.Explainers;
import dev.loupe.render.image.Preprocess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import picocli.CommandLine.Option;

/** The explanation methods' options as flags, turned into the explain facade's option map. */
final class MethodOptions {
    /** Methods whose map is at a layer's resolution until upsampled. */
    static final Set<String> LAYER_CAMS = Set.of("gradcam", "gradcam++", "counterfactual", "cam", "score-cam");

    @Option(names = "--window", paramLabel = "W", description = "occlusion: window size in pixels (default: input side / 8).")
    Integer window;

    @Option(names = "--stride", paramLabel = "S", description = "occlusion: step between windows (default: window / 2).")
    Integer stride;

    @Option(names = "--fill", paramLabel = "zero|gray|mean|blur|VALUE", description = "occlusion: what covers the window (default zero); lime: what replaces switched-off superpixels (default mean).")
    String fill;

    @Option(names = "--steps", paramLabel = "N", description = "integrated-gradients: integration steps (default 50).")
    Integer steps;

    @Option(names = "--baseline", paramLabel = "zero|blur|VALUE|FILE.npy", description = "integrated-gradients: the baseline input (default zero).")
    String baseline;

    @Option(names = "--integration", paramLabel = "trapezoid|gauss-legendre", description = "integrated-gradients: quadrature rule (default trapezoid).")
    String integration;

    @Option(names = "--samples", paramLabel = "N", description = "smoothgrad: noisy samples (default 50); lime: perturbed samples (default 1000).")
    Integer samples;

    @Option(names = "--noise", paramLabel = "SIGMA", description = "smoothgrad: noise std as a fraction of the input's range (default 0.15).")
    Double noise;

    @Option(names = "--of", paramLabel = "METHOD", description = "smoothgrad: the method averaged (saliency, deconvnet, guided-backprop, integrated-gradients).")
    String of;

    @Option(names = "--layer", paramLabel = "TENSOR", description = "gradcam, gradcam++, counterfactual, score-cam, guided-gradcam: the activation (default: the last spatial feature map).")
    String layer;

    @Option(names = "--upsample", paramLabel = "bilinear|nearest|none", description = "gradcam, gradcam++, counterfactual, cam, score-cam, guided-gradcam: how the map reaches input size in pictures (default bilinear; --npy keeps the layer resolution).")
    String upsample;

    @Option(names = "--blur-sigma", paramLabel = "PX", description = "occlusion/integrated-gradients: Gaussian sigma for blur fills and baselines (default 5).")
    Double blurSigma;

    @Option(names = "--batch", paramLabel = "B", description = "occlusion, integrated-gradients, smoothgrad, score-cam, rise, lime: inputs per forward pass (default 16).")
    Integer batch;

    @Option(names = "--seed", paramLabel = "N", description = "smoothgrad, rise, lime: random seed (default 0).")
    Integer seed;

    @Option(names = "--masks", paramLabel = "N", description = "rise: random masks (default 2000).")
    Integer masks;

    @Option(names = "--cell", paramLabel = "PX", description = "rise: mask grid cell size in pixels (default: shorter side / 7).")
    Integer cell;

    @Option(names = "--probability", paramLabel = "P", description = "rise: probability that a cell is kept (default 0.5).")
    Double probability;

    @Option(names = "--segments", paramLabel = "N", description = "lime: SLIC superpixels requested (default 50).")
    Integer segments;

    @Option(names = "--kernel-width", paramLabel = "W", description = "lime: width of the exponential kernel on cosine distance (default 0.25).")
    Double kernelWidth;

    @Option(names = "--max-channels", paramLabel = "N", description = "score-cam: evaluate only the N channels with the largest mean activation (default: all).")
    Integer maxChannels;

    /** The options the user set, by the facade's names. */
    Map<String, Object> given() throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        put(o, "window", window);
        put(o, "stride", stride);
        put(o, "fill", fill);
        put(o, "steps", steps);
        put(o, "baseline", baselineValue());
        put(o, "integration", integration);
        put(o, "samples", samples);
        put(o, "noise", noise);
        put(o, "of", of);
        put(o, "layer", layer);
        put(o, "upsample", upsample);
        put(o, "blur-sigma", blurSigma);
        put(o, "batch", batch);
        put(o, "seed", seed);
        put(o, "masks", masks);
        put(o, "cell", cell);
        put(o, "probability", probability);
        put(o, "segments", segments);
        put(o, "kernel-width", kernelWidth);
        put(o, "max-channels", maxChannels);
        return o;
    }

    private static void put(Map<String, Object> o, String k, Object v) {
        if (v != null) {
            o.put(k, v instanceof String || v instanceof Tensor ? v : v.toString());
        }
    }

    /** A baseline file is read here; names and numbers pass through. */
    private Object baselineValue() throws IOException {
        if (baseline == null) {
            return null;
        }
        if (baseline.endsWith(".npy") || Files.isRegularFile(Path.of(baseline))) {
            Path p = Path.of(baseline);
            if (!Files.isRegularFile(p)) {
                throw new UsageException("baseline file not found: " + p.toAbsolutePath());
            }
            return Npy.read(p);
        }
        return baseline;
    }

    /**
     * The options for one method: what the user gave plus what the CLI knows (the preprocessing
     * for occlusion's gray fill, bilinear upsampling for Grad-CAM so it can be drawn on the image).
     *
     * @param strict refuse options the method does not take (explain); otherwise drop them (compare)
     */
    static Map<String, Object> forMethod(String method, Map<String, Object> given, Preprocess p, boolean strict) {
        Set<String> accepted = Explainers.optionNames(method);
        Map<String, Object> o = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : given.entrySet()) {
            if (accepted.contains(e.getKey())) {
                o.put(e.getKey(), e.getValue());
            } else if (strict) {
                StringJoiner flags = new StringJoiner(", ");
                accepted.stream().filter(k -> !k.equals("mean") && !k.equals("std")).forEach(k -> flags.add("--" + k));
                throw new UsageException("--" + e.getKey() + " does not apply to " + method + "; "
                        + (flags.length() == 0 ? method + " takes no options" : method + " takes " + flags));
            }
        }
        if (method.equals("occlusion") || method.equals("lime")) {
            o.put("mean", csv(p.mean()));
            o.put("std", csv(p.std()));
        }
        if (LAYER_CAMS.contains(method) && !o.containsKey("upsample")) {
            o.put("upsample", "bilinear");
        }
        return o;
    }

    private static String csv(float[] v) {
        StringJoiner j = new StringJoiner(",");
        for (float f : v) {
            j.add(Float.toString(f));
        }
        return j.toString();
    }

    /** The method name, checked against the facade's list. */
    static String method(String name) {
        String m = name.strip().toLowerCase(java.util.Locale.ROOT);
        m = switch (m) {
            case "backprop", "gradient", "vanilla" -> "saliency";
            case "deconv" -> "deconvnet";
            case "guided", "guided-backpropagation" -> "guided-backprop";
            case "ig" -> "integrated-gradients";
            case "grad-cam" -> "gradcam";
            case "grad-cam++", "gradcampp", "gradcam-plus-plus" -> "gradcam++";
            case "scorecam", "score-cam" -> "score-cam";
            case "counterfactual-cam", "counterfactual-gradcam" -> "counterfactual";
            case "guided-grad-cam" -> "guided-gradcam";
            default -> m;
        };
        if (!Explainers.methodNames().contains(m)) {
            throw new UsageException("unknown method '" + name + "'; valid methods: " + String.join(", ", Explainers.methodNames()));
        }
        return m;
    }
}
