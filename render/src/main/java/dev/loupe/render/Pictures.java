package dev.loupe.render;

import dev.loupe.render.image.Geometry;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** Drawing: colourised maps, overlays, labelled tiles and panels. All pictures are 8-bit RGB. */
public final class Pictures {
    private static final Color INK = new Color(0x20, 0x20, 0x20);
    private static final Color MUTED = new Color(0x55, 0x55, 0x55);
    private static final int PAD = 6;

    private Pictures() {
    }

    /** A map already scaled to [0, 1] in colours. */
    public static BufferedImage colorize(float[] scaled, int width, int height, ColorMap map) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = map.rgb(scaled[i]);
        }
        img.setRGB(0, 0, width, height, rgb, 0, width);
        return img;
    }

    /** Reduces, normalises and colours a map, resizing it to {@code width x height} first if needed. */
    public static BufferedImage render(Heatmap map, Normalization norm, ColorMap colors, int width, int height) {
        Heatmap m = map.resized(width, height);
        return colorize(norm.apply(m), width, height, colors);
    }

    /** Blends {@code top} over {@code base} (same size) with weight {@code alpha} for {@code top}. */
    public static BufferedImage blend(BufferedImage base, BufferedImage top, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        int w = base.getWidth();
        int h = base.getHeight();
        if (top.getWidth() != w || top.getHeight() != h) {
            throw new IllegalArgumentException("cannot blend " + top.getWidth() + "x" + top.getHeight() + " over " + w + "x" + h);
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] a = base.getRGB(0, 0, w, h, null, 0, w);
        int[] b = top.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < a.length; i++) {
            a[i] = mix(a[i], b[i], alpha);
        }
        out.setRGB(0, 0, w, h, a, 0, w);
        return out;
    }

    private static int mix(int p, int q, double t) {
        int r = (int) Math.round(((p >> 16) & 0xff) * (1 - t) + ((q >> 16) & 0xff) * t);
        int g = (int) Math.round(((p >> 8) & 0xff) * (1 - t) + ((q >> 8) & 0xff) * t);
        int b = (int) Math.round((p & 0xff) * (1 - t) + (q & 0xff) * t);
        return (r << 16) | (g << 8) | b;
    }

    /**
     * Draws a map computed on the model's input back onto the original photo: the map is resized to
     * the crop box in the photo and blended there; the box is outlined when it is not the whole photo.
     */
    public static BufferedImage overlayOnOriginal(BufferedImage original, Geometry geometry, Heatmap map,
            Normalization norm, ColorMap colors, double alpha) {
        Rectangle2D.Double box = geometry.cropInOriginal();
        int x0 = (int) Math.round(box.x);
        int y0 = (int) Math.round(box.y);
        int bw = Math.max(1, Math.min(original.getWidth() - x0, (int) Math.round(box.width)));
        int bh = Math.max(1, Math.min(original.getHeight() - y0, (int) Math.round(box.height)));
        BufferedImage out = copy(original);
        BufferedImage region = out.getSubimage(x0, y0, bw, bh);
        BufferedImage colored = render(map, norm, colors, bw, bh);
        BufferedImage blended = blend(copy(region), colored, alpha);
        Graphics2D g = out.createGraphics();
        g.drawImage(blended, x0, y0, null);
        if (bw < original.getWidth() || bh < original.getHeight()) {
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(Math.max(1f, original.getWidth() / 300f)));
            g.drawRect(x0, y0, bw - 1, bh - 1);
        }
        g.dispose();
        return out;
    }

    public static BufferedImage copy(BufferedImage src) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return out;
    }

    /** A picture with a caption above it: a bold title line and an optional smaller second line. */
    public static BufferedImage labelled(BufferedImage picture, String title, String subtitle) {
        int w = Math.max(picture.getWidth(), 120);
        Font bold = new Font(Font.SANS_SERIF, Font.BOLD, fontSize(w));
        Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, fontSize(w) - 1);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fb = pg.getFontMetrics(bold);
        FontMetrics fp = pg.getFontMetrics(plain);
        pg.dispose();
        // The subtitle (class and score) wraps rather than losing the score to an ellipsis.
        List<String> lines = subtitle == null || subtitle.isEmpty() ? List.of() : wrap(subtitle, fp, w - 2 * PAD, 3);
        int header = PAD + fb.getHeight() + lines.size() * fp.getHeight() + PAD / 2;
        BufferedImage out = new BufferedImage(w, header + picture.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setColor(INK);
        g.setFont(bold);
        g.drawString(fit(title, fb, w - 2 * PAD), PAD, PAD + fb.getAscent());
        g.setColor(MUTED);
        g.setFont(plain);
        for (int i = 0; i < lines.size(); i++) {
            g.drawString(lines.get(i), PAD, PAD + fb.getHeight() + i * fp.getHeight() + fp.getAscent());
        }
        g.drawImage(picture, (w - picture.getWidth()) / 2, header, null);
        g.dispose();
        return out;
    }

    private static int fontSize(int width) {
        return Math.max(11, Math.min(18, width / 18));
    }

    /** Breaks text at spaces into at most {@code maxLines} lines of {@code max} pixels. */
    private static List<String> wrap(String text, FontMetrics fm, int max, int maxLines) {
        List<String> lines = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (fm.stringWidth(candidate) <= max || line.length() == 0) {
                line.setLength(0);
                line.append(candidate);
            } else {
                lines.add(line.toString().strip());
                line.setLength(0);
                line.append(word);
            }
        }
        if (line.length() > 0) {
            lines.add(line.toString().strip());
        }
        if (lines.size() > maxLines) {
            List<String> kept = new java.util.ArrayList<>(lines.subList(0, maxLines));
            kept.set(maxLines - 1, fit(String.join(" ", lines.subList(maxLines - 1, lines.size())), fm, max));
            return kept;
        }
        for (int i = 0; i < lines.size(); i++) {
            lines.set(i, fit(lines.get(i), fm, max));
        }
        return lines;
    }

    /** Shortens text with an ellipsis so it fits in {@code max} pixels. */
    private static String fit(String s, FontMetrics fm, int max) {
        if (fm.stringWidth(s) <= max) {
            return s;
        }
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "…") > max) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }

    /** One picture of a panel with its caption. */
    public record Tile(BufferedImage picture, String title, String subtitle) {
    }

    /**
     * Lays tiles out left to right, {@code columns} per row, each labelled, under an optional
     * heading line.
     */
    public static BufferedImage panel(List<Tile> tiles, int columns, String heading) {
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("a panel needs at least one picture");
        }
        int cols = Math.max(1, Math.min(columns, tiles.size()));
        List<BufferedImage> cells = tiles.stream().map(t -> labelled(t.picture(), t.title(), t.subtitle())).toList();
        int cw = cells.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
        int ch = cells.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
        int rows = (cells.size() + cols - 1) / cols;
        Font head = new Font(Font.SANS_SERIF, Font.BOLD, 16);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(head);
        pg.dispose();
        int top = heading == null || heading.isEmpty() ? 0 : fm.getHeight() + 2 * PAD;
        int width = cols * cw + (cols + 1) * PAD;
        BufferedImage out = new BufferedImage(width, top + rows * ch + (rows + 1) * PAD, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        if (top > 0) {
            g.setColor(INK);
            g.setFont(head);
            g.drawString(fit(heading, fm, width - 2 * PAD), PAD, PAD + fm.getAscent());
        }
        for (int i = 0; i < cells.size(); i++) {
            int r = i / cols;
            int c = i % cols;
            g.drawImage(cells.get(i), PAD + c * (cw + PAD), top + PAD + r * (ch + PAD), null);
        }
        g.dispose();
        return out;
    }

    /** Nearest-neighbour scaling to a size, for showing small inputs or maps large enough to see. */
    public static BufferedImage scaled(BufferedImage src, int width, int height) {
        if (src.getWidth() == width && src.getHeight() == height) {
            return src;
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(src, 0, 0, width, height, null);
        g.dispose();
        return out;
    }
}
