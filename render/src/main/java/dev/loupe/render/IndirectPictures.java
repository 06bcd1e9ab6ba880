package dev.loupe.render;

import dev.loupe.engine.Tensor;
import dev.loupe.explain.indirect.TileGrid;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Pictures of indirect explanations: tile grids with row labels and captions (filters,
 * activations, patches), t-SNE scatter plots with a class legend (PNG and SVG), and the t-SNE
 * thumbnail map that places the images themselves.
 */
public final class IndirectPictures {
    private static final int PAD = 6;
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color MUTED = new Color(0x66, 0x66, 0x66);
    /** Ten distinct class colours (Tableau 10), then repeated. */
    private static final int[] PALETTE = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f,
        0xbab0ac};

    private IndirectPictures() {
    }

    /** A {@code [C, H, W]} tensor with values in [0, 1] (gray or RGB; NaN white) as an image. */
    public static BufferedImage image(Tensor t) {
        int c = t.dim(0);
        int h = t.dim(1);
        int w = t.dim(2);
        float[] d = t.data();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = 0;
                for (int k = 0; k < 3; k++) {
                    float v = d[(Math.min(k, c - 1) * h + y) * w + x];
                    int b = v != v ? 255 : Math.max(0, Math.min(255, Math.round(v * 255)));
                    rgb = (rgb << 8) | b;
                }
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /**
     * The grid with each row's label at its left and each tile's caption under it; tiles are
     * scaled by {@code scale} (nearest neighbour) so that small ones are at least {@code minCell}
     * pixels tall when {@code scale} ≤ 0.
     */
    public static BufferedImage grid(TileGrid grid, int scale, int minCell, String heading, boolean captions) {
        return grid(grid, scale, minCell, heading, captions, false);
    }

    /** As {@link #grid(TileGrid, int, int, String, boolean)}; with {@code fitCells} smaller tiles are enlarged to fill their cell. */
    public static BufferedImage grid(TileGrid grid, int scale, int minCell, String heading, boolean captions, boolean fitCells) {
        int[] cell = grid.cellSize();
        int s = scale > 0 ? scale : Math.max(1, (minCell + cell[0] - 1) / Math.max(1, cell[0]));
        int cw = cell[1] * s;
        int ch = cell[0] * s;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        Font head = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        FontMetrics fh = pg.getFontMetrics(head);
        pg.dispose();
        int labelW = 0;
        for (TileGrid.Row r : grid.rows()) {
            if (r.label() != null) {
                labelW = Math.max(labelW, fm.stringWidth(r.label()) + PAD);
            }
        }
        int cols = grid.rows().stream().mapToInt(r -> r.tiles().size()).max().orElse(1);
        int capH = captions ? fm.getHeight() : 0;
        int top = heading == null ? 0 : fh.getHeight() + PAD;
        int width = PAD + labelW + cols * (cw + 2) + PAD;
        int height = top + PAD + grid.rows().size() * (ch + capH + 2) + PAD;
        BufferedImage out = new BufferedImage(Math.max(width, heading == null ? 1 : fh.stringWidth(heading) + 2 * PAD), height,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        if (heading != null) {
            g.setColor(INK);
            g.setFont(head);
            g.drawString(heading, PAD, PAD + fh.getAscent());
        }
        g.setFont(font);
        for (int ri = 0; ri < grid.rows().size(); ri++) {
            TileGrid.Row row = grid.rows().get(ri);
            int y0 = top + PAD + ri * (ch + capH + 2);
            if (row.label() != null) {
                g.setColor(INK);
                g.drawString(row.label(), PAD, y0 + ch / 2 + fm.getAscent() / 2);
            }
            for (int ci = 0; ci < row.tiles().size(); ci++) {
                TileGrid.Tile t = row.tiles().get(ci);
                BufferedImage img = image(t.pixels());
                double f = fitCells ? Math.min((double) cw / img.getWidth(), (double) ch / img.getHeight()) : s;
                int tw = (int) Math.round(img.getWidth() * f);
                int th = (int) Math.round(img.getHeight() * f);
                int x0 = PAD + labelW + ci * (cw + 2);
                g.drawImage(img, x0 + (cw - tw) / 2, y0 + (ch - th) / 2, tw, th, null);
                if (captions && t.caption() != null) {
                    g.setColor(MUTED);
                    String c = t.caption();
                    while (c.length() > 1 && fm.stringWidth(c) > cw) {
                        c = c.substring(0, c.length() - 1);
                    }
                    g.drawString(c, x0 + (cw - fm.stringWidth(c)) / 2, y0 + ch + fm.getAscent());
                }
            }
        }
        g.dispose();
        return out;
    }

    /** The colour of class {@code label} (gray for unlabelled points). */
    public static int classColor(int label) {
        return label < 0 ? 0x888888 : PALETTE[label % PALETTE.length];
    }

    /** Scales points into a {@code size × size} square with a margin: {x, y} pixel positions. */
    private static double[][] fit(float[] xy, int n, int size, int margin) {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            minX = Math.min(minX, xy[2 * i]);
            maxX = Math.max(maxX, xy[2 * i]);
            minY = Math.min(minY, xy[2 * i + 1]);
            maxY = Math.max(maxY, xy[2 * i + 1]);
        }
        double span = Math.max(Math.max(maxX - minX, maxY - minY), 1e-12);
        double inner = size - 2.0 * margin;
        double[][] p = new double[n][2];
        for (int i = 0; i < n; i++) {
            p[i][0] = margin + (xy[2 * i] - minX) / span * inner + (inner - (maxX - minX) / span * inner) / 2;
            p[i][1] = margin + (xy[2 * i + 1] - minY) / span * inner + (inner - (maxY - minY) / span * inner) / 2;
        }
        return p;
    }

    /** A scatter plot of 2-D points coloured by class, with a legend of the class names present. */
    public static BufferedImage scatter(float[] xy, int n, int[] labels, List<String> classNames, int size, String heading) {
        int legendW = legendClasses(labels) == 0 ? 0 : 170;
        BufferedImage out = new BufferedImage(size + legendW, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        double[][] p = fit(xy, n, size, 24);
        double r = n > 5000 ? 1.6 : n > 1000 ? 2.2 : 3.2;
        for (int i = 0; i < n; i++) {
            g.setColor(new Color(classColor(labels == null ? -1 : labels[i])));
            g.fill(new java.awt.geom.Ellipse2D.Double(p[i][0] - r, p[i][1] - r, 2 * r, 2 * r));
        }
        g.setColor(INK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        if (heading != null) {
            g.drawString(heading, 8, 16);
        }
        if (legendW > 0) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int row = 0;
            for (int c = 0; c <= maxLabel(labels); c++) {
                if (!present(labels, c)) {
                    continue;
                }
                int y = 30 + row++ * 18;
                g.setColor(new Color(classColor(c)));
                g.fillOval(size + 8, y - 9, 10, 10);
                g.setColor(INK);
                g.drawString(name(classNames, c), size + 24, y);
            }
        }
        g.setStroke(new BasicStroke(1));
        g.dispose();
        return out;
    }

    /** The same scatter plot as SVG text. */
    public static String scatterSvg(float[] xy, int n, int[] labels, List<String> classNames, int size, String heading) {
        int legendW = legendClasses(labels) == 0 ? 0 : 170;
        double[][] p = fit(xy, n, size, 24);
        double r = n > 5000 ? 1.6 : n > 1000 ? 2.2 : 3.2;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", size + legendW, size, size + legendW, size));
        if (heading != null) {
            sb.append("<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">").append(escape(heading)).append("</text>\n");
        }
        for (int i = 0; i < n; i++) {
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#%06x\"/>%n", p[i][0], p[i][1], r,
                    classColor(labels == null ? -1 : labels[i])));
        }
        int row = 0;
        for (int c = 0; legendW > 0 && c <= maxLabel(labels); c++) {
            if (!present(labels, c)) {
                continue;
            }
            int y = 30 + row++ * 18;
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"#%06x\"/><text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>%n",
                    size + 13, y - 4, classColor(c), size + 24, y, escape(name(classNames, c))));
        }
        return sb.append("</svg>\n").toString();
    }

    /**
     * The t-SNE image map: the square is cut into {@code cells × cells} cells and each cell shows
     * the thumbnail of the point nearest its centre (among points that fall in it), so the images
     * themselves show what each region of the map holds.
     */
    public static BufferedImage thumbnailMap(float[] xy, int n, IntFunction<BufferedImage> thumbnail, int cells, int cellSize) {
        int size = cells * cellSize;
        double[][] p = fit(xy, n, size, 0);
        int[] best = new int[cells * cells];
        double[] bestD = new double[cells * cells];
        java.util.Arrays.fill(best, -1);
        for (int i = 0; i < n; i++) {
            int cx = Math.min(cells - 1, (int) (p[i][0] / cellSize));
            int cy = Math.min(cells - 1, (int) (p[i][1] / cellSize));
            double dx = p[i][0] - (cx + 0.5) * cellSize;
            double dy = p[i][1] - (cy + 0.5) * cellSize;
            double d = dx * dx + dy * dy;
            int c = cy * cells + cx;
            if (best[c] < 0 || d < bestD[c]) {
                best[c] = i;
                bestD[c] = d;
            }
        }
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, size, size);
        for (int c = 0; c < best.length; c++) {
            if (best[c] >= 0) {
                BufferedImage t = thumbnail.apply(best[c]);
                if (t != null) {
                    g.drawImage(t, (c % cells) * cellSize, (c / cells) * cellSize, cellSize, cellSize, null);
                }
            }
        }
        g.dispose();
        return out;
    }

    private static int legendClasses(int[] labels) {
        return labels == null ? 0 : maxLabel(labels) + 1;
    }

    private static int maxLabel(int[] labels) {
        int m = -1;
        if (labels != null) {
            for (int v : labels) {
                m = Math.max(m, v);
            }
        }
        return m;
    }

    private static boolean present(int[] labels, int c) {
        for (int v : labels) {
            if (v == c) {
                return true;
            }
        }
        return false;
    }

    private static String name(List<String> names, int c) {
        return names != null && c < names.size() ? c + " " + names.get(c) : "class " + c;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
