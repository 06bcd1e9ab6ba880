package dev.loupe.render;

/**
 * How an attribution is drawn: channel reduction, normalisation, colour map and overlay opacity.
 *
 * @param reduction how channels become one value per pixel
 * @param normalization how values are scaled to [0, 1]
 * @param colors the colour map of the map picture
 * @param overlayColors the colour map used over a photo (grey over a photo is hard to read)
 * @param alpha the opacity of the map over the photo
 */
public record Style(Reduction reduction, Normalization normalization, ColorMap colors, ColorMap overlayColors,
        double alpha) {

    /**
     * Sensible pictures per method: gradient maps as max |.| over channels in grey (the classic
     * saliency picture), signed maps (integrated gradients, occlusion) in blue-white-red, and
     * Grad-CAM in inferno.
     */
    public static Style defaultsFor(String method) {
        return switch (method) {
            case "integrated-gradients" -> new Style(Reduction.SIGNED_SUM, Normalization.percentile(true, 99),
                    ColorMap.DIVERGING, ColorMap.DIVERGING, 0.5);
            case "occlusion" -> new Style(Reduction.MEAN, Normalization.percentile(true, 99), ColorMap.DIVERGING,
                    ColorMap.DIVERGING, 0.5);
            case "lime" -> new Style(Reduction.MEAN, Normalization.percentile(true, 100), ColorMap.DIVERGING,
                    ColorMap.DIVERGING, 0.5);
            case "gradcam", "gradcam++", "counterfactual", "cam", "score-cam", "rise" -> new Style(Reduction.MAX_ABS, Normalization.percentile(false, 100), ColorMap.INFERNO,
                    ColorMap.INFERNO, 0.5);
            default -> new Style(Reduction.MAX_ABS, Normalization.percentile(false, 99), ColorMap.GRAY,
                    ColorMap.INFERNO, 0.5);
        };
    }

    /** The same style with some parts replaced; null arguments keep the current value. */
    public Style with(Reduction r, Normalization n, ColorMap c, Double a) {
        ColorMap over = c != null ? c : overlayColors;
        return new Style(r != null ? r : reduction, n != null ? n : normalization, c != null ? c : colors, over,
                a != null ? a : alpha);
    }
}
