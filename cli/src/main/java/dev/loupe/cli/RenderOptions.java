package dev.loupe.cli;

import dev.loupe.render.ColorMap;
import dev.loupe.render.Normalization;
import dev.loupe.render.Reduction;
import dev.loupe.render.Style;
import picocli.CommandLine.Option;

/** How maps are drawn; unset flags keep each method's default style. */
final class RenderOptions {
    @Option(names = "--colormap", paramLabel = "gray|diverging|viridis|inferno", description = "Colour map (default: gray for gradient maps, diverging for signed maps, inferno for Grad-CAM).")
    String colormap;

    @Option(names = "--reduce", paramLabel = "max-abs|sum|signed-sum|mean", description = "How channels become one value (default: max-abs, signed-sum for integrated gradients).")
    String reduce;

    @Option(names = "--percentile", paramLabel = "P", description = "Full scale at this percentile of |map| (default 99).")
    Double percentile;

    @Option(names = "--range", paramLabel = "LO,HI", description = "Fixed value range instead of a percentile, to compare maps.")
    String range;

    @Option(names = "--alpha", paramLabel = "A", description = "Opacity of the map over the image, 0..1 (default 0.5).")
    Double alpha;

    Style styleFor(String method) {
        Style base = Style.defaultsFor(method);
        try {
            Reduction r = reduce != null ? Reduction.parse(reduce) : base.reduction();
            ColorMap c = colormap != null ? ColorMap.parse(colormap) : null;
            boolean signed = r.signed();
            Normalization n;
            if (range != null) {
                if (percentile != null) {
                    throw new UsageException("give --range or --percentile, not both");
                }
                String[] parts = range.split(",");
                if (parts.length != 2) {
                    throw new UsageException("--range needs two numbers LO,HI, got '" + range + "'");
                }
                n = Normalization.range(signed, Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
            } else {
                n = Normalization.percentile(signed, percentile != null ? percentile : base.normalization().percentile());
            }
            if (alpha != null && !(alpha >= 0 && alpha <= 1)) {
                throw new UsageException("--alpha must be between 0 and 1, got " + alpha);
            }
            if (c == null && signed != base.reduction().signed()) {
                c = signed ? ColorMap.DIVERGING : ColorMap.GRAY;
                return new Style(r, n, c, signed ? c : ColorMap.INFERNO, alpha != null ? alpha : base.alpha());
            }
            return base.with(r, n, c, alpha);
        } catch (NumberFormatException e) {
            throw new UsageException("--range needs two numbers LO,HI, got '" + range + "'", e);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
