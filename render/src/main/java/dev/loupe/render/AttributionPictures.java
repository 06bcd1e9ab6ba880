package dev.loupe.render;

import dev.loupe.explain.Attribution;
import dev.loupe.render.image.Geometry;
import java.awt.image.BufferedImage;
import java.util.Locale;

/** Pictures of an {@link Attribution}: the map alone, the map over the photo, and their captions. */
public final class AttributionPictures {
    private AttributionPictures() {
    }

    /** The name a method goes by in the lecture's figures. */
    public static String displayName(String method) {
        return switch (method) {
            case "saliency" -> "Backprop";
            case "deconvnet" -> "Deconv";
            case "guided-backprop" -> "Guided Backprop";
            case "gradcam" -> "Grad-CAM";
            case "guided-gradcam" -> "Guided Grad-CAM";
            case "gradcam++" -> "Grad-CAM++";
            case "counterfactual" -> "Counterfactual Grad-CAM";
            case "cam" -> "CAM";
            case "score-cam" -> "Score-CAM";
            case "rise" -> "RISE";
            case "lime" -> "LIME";
            case "occlusion" -> "Occlusion";
            case "integrated-gradients" -> "Integrated Gradients";
            case "smoothgrad" -> "SmoothGrad";
            default -> method;
        };
    }

    /** The map of one batch item, reduced over channels. */
    public static Heatmap heatmap(Attribution a, int item, Style style) {
        return style.reduction().apply(a.map(), item);
    }

    /** The coloured map at {@code width x height}. */
    public static BufferedImage map(Attribution a, int item, Style style, int width, int height) {
        return Pictures.render(heatmap(a, item, style), style.normalization(), style.colors(), width, height);
    }

    /** The map blended over the picture the model saw. */
    public static BufferedImage overlay(BufferedImage view, Attribution a, int item, Style style) {
        BufferedImage colored = Pictures.render(heatmap(a, item, style), style.normalization(), style.overlayColors(),
                view.getWidth(), view.getHeight());
        return Pictures.blend(view, colored, style.alpha());
    }

    /** The map blended over the original photo, inside the box the model saw. */
    public static BufferedImage overlayOnOriginal(BufferedImage original, Geometry geometry, Attribution a, int item,
            Style style) {
        return Pictures.overlayOnOriginal(original, geometry, heatmap(a, item, style), style.normalization(),
                style.overlayColors(), style.alpha());
    }

    /** {@code "Siberian husky (250)  logit 15.23  p 0.610"}: what was explained and how sure the model is. */
    public static String caption(Attribution a, int item, Labels labels) {
        String s = labels.describe(a.classes()[item]);
        if (a.target().contrast() != null) {
            s += " vs " + labels.describe(a.target().contrast());
            return s + String.format(Locale.ROOT, "  score\u00a0%.3g", a.scores()[item]);
        }
        // No-break spaces keep each number with its name when a caption wraps.
        return s + String.format(Locale.ROOT, "  logit\u00a0%.3g  p\u00a0%.3f", a.scores()[item], a.probabilities()[item]);
    }

    /** A labelled picture: method name (and layer) as title, class and score below. */
    public static BufferedImage labelled(BufferedImage picture, Attribution a, int item, Labels labels) {
        String title = displayName(a.method()) + (a.layer() != null ? " @ " + a.layer() : "");
        return Pictures.labelled(picture, title, caption(a, item, labels));
    }
}
