package dev.loupe.explain.segmentation;

import dev.loupe.engine.Tensor;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * SLIC superpixels (Achanta et al., TPAMI 2012) on one [1, C, H, W] image, for LIME.
 *
 * <p>Pixels are clustered by k-means in (colour, position) space, each centre searching only a
 * 2S × 2S window around itself, {@code S = sqrt(H·W / segments)}; distance
 * {@code d² = d_colour² + (d_xy / S)² · m²}. Colours are the model-space channel values divided by
 * the image's overall value range, so they lie in a unit range whatever the preprocessing; the
 * compactness {@code m} is on that scale (0.1 by default, the equivalent of the customary 10 on
 * CIELAB's 0–100 lightness). We do not convert to CIELAB because the image is in the model's space
 * and may not be RGB. Centres start on a regular grid, moved to the lowest-gradient pixel of their
 * 3 × 3 neighbourhood; 10 iterations. Afterwards connectivity is enforced: each connected piece
 * smaller than a quarter of the nominal superpixel size joins the piece next to it, and labels
 * are renumbered 0..count−1 in raster order of first appearance. Deterministic.
 */
public final class Slic {
    /** A segmentation: a label per pixel (row-major H·W) and the number of labels. */
    public record Segmentation(int[] labels, int count, int height, int width) {
        /** The number of pixels of each label. */
        public int[] sizes() {
            int[] s = new int[count];
            for (int l : labels) {
                s[l]++;
            }
            return s;
        }
    }

    public static final double DEFAULT_COMPACTNESS = 0.1;
    private static final int ITERATIONS = 10;

    private Slic() {
    }

    public static Segmentation segment(Tensor image, int segments) {
        return segment(image, segments, DEFAULT_COMPACTNESS);
    }

    public static Segmentation segment(Tensor image, int segments, double compactness) {
        if (image.rank() != 4 || image.dim(0) != 1) {
            throw new IllegalArgumentException("SLIC segments one [1, C, H, W] image, got " + Tensor.shapeString(image.shape()));
        }
        if (segments < 1) {
            throw new IllegalArgumentException("segments must be positive, got " + segments);
        }
        int c = image.dim(1);
        int h = image.dim(2);
        int w = image.dim(3);
        int hw = h * w;
        float[] src = image.data();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : src) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double scale = hi > lo ? 1.0 / (hi - lo) : 1.0;
        double[] f = new double[src.length]; // channel-major, scaled
        for (int i = 0; i < src.length; i++) {
            f[i] = (src[i] - lo) * scale;
        }
        double step = Math.sqrt((double) hw / segments);
        int ny = Math.max(1, (int) Math.round(h / step));
        int nx = Math.max(1, (int) Math.round(w / step));
        int k = ny * nx;
        double[] cy = new double[k];
        double[] cx = new double[k];
        double[][] cc = new double[k][c];
        for (int i = 0; i < ny; i++) {
            for (int j = 0; j < nx; j++) {
                int y = Math.min(h - 1, (int) ((i + 0.5) * h / ny));
                int x = Math.min(w - 1, (int) ((j + 0.5) * w / nx));
                int[] best = lowestGradient(f, c, h, w, y, x);
                int id = i * nx + j;
                cy[id] = best[0];
                cx[id] = best[1];
                for (int ch = 0; ch < c; ch++) {
                    cc[id][ch] = f[ch * hw + best[0] * w + best[1]];
                }
            }
        }
        double spatial = compactness * compactness / (step * step);
        int radius = (int) Math.ceil(step);
        int[] label = new int[hw];
        double[] dist = new double[hw];
        for (int it = 0; it < ITERATIONS; it++) {
            Arrays.fill(label, -1);
            Arrays.fill(dist, Double.POSITIVE_INFINITY);
            for (int id = 0; id < k; id++) {
                int y0 = Math.max(0, (int) (cy[id] - radius));
                int y1 = Math.min(h - 1, (int) (cy[id] + radius));
                int x0 = Math.max(0, (int) (cx[id] - radius));
                int x1 = Math.min(w - 1, (int) (cx[id] + radius));
                for (int y = y0; y <= y1; y++) {
                    for (int x = x0; x <= x1; x++) {
                        int p = y * w + x;
                        double d = 0;
                        for (int ch = 0; ch < c; ch++) {
                            double diff = f[ch * hw + p] - cc[id][ch];
                            d += diff * diff;
                        }
                        double dy = y - cy[id];
                        double dx = x - cx[id];
                        d += (dy * dy + dx * dx) * spatial;
                        if (d < dist[p]) {
                            dist[p] = d;
                            label[p] = id;
                        }
                    }
                }
            }
            assignUncovered(label, cy, cx, h, w);
            double[] count = new double[k];
            double[] sy = new double[k];
            double[] sx = new double[k];
            double[][] sc = new double[k][c];
            for (int p = 0; p < hw; p++) {
                int id = label[p];
                count[id]++;
                sy[id] += p / w;
                sx[id] += p % w;
                for (int ch = 0; ch < c; ch++) {
                    sc[id][ch] += f[ch * hw + p];
                }
            }
            for (int id = 0; id < k; id++) {
                if (count[id] > 0) {
                    cy[id] = sy[id] / count[id];
                    cx[id] = sx[id] / count[id];
                    for (int ch = 0; ch < c; ch++) {
                        cc[id][ch] = sc[id][ch] / count[id];
                    }
                }
            }
        }
        return connect(label, h, w, Math.max(1, hw / k / 4));
    }

    /** Pixels no centre's window reached go to the spatially nearest centre. */
    private static void assignUncovered(int[] label, double[] cy, double[] cx, int h, int w) {
        for (int p = 0; p < label.length; p++) {
            if (label[p] >= 0) {
                continue;
            }
            double best = Double.POSITIVE_INFINITY;
            for (int id = 0; id < cy.length; id++) {
                double dy = p / w - cy[id];
                double dx = p % w - cx[id];
                if (dy * dy + dx * dx < best) {
                    best = dy * dy + dx * dx;
                    label[p] = id;
                }
            }
        }
    }

    private static int[] lowestGradient(double[] f, int c, int h, int w, int y, int x) {
        int[] best = {y, x};
        double bestG = Double.POSITIVE_INFINITY;
        for (int yy = Math.max(1, y - 1); yy <= Math.min(h - 2, y + 1); yy++) {
            for (int xx = Math.max(1, x - 1); xx <= Math.min(w - 2, x + 1); xx++) {
                double g = 0;
                for (int ch = 0; ch < c; ch++) {
                    int base = ch * h * w;
                    double gx = f[base + yy * w + xx + 1] - f[base + yy * w + xx - 1];
                    double gy = f[base + (yy + 1) * w + xx] - f[base + (yy - 1) * w + xx];
                    g += gx * gx + gy * gy;
                }
                if (g < bestG) {
                    bestG = g;
                    best = new int[] {yy, xx};
                }
            }
        }
        return best;
    }

    /**
     * Relabels 4-connected pieces in raster order; a piece smaller than {@code minSize} takes the
     * label of the piece adjacent to its first pixel (above or to the left, already labelled).
     */
    private static Segmentation connect(int[] label, int h, int w, int minSize) {
        int hw = h * w;
        int[] out = new int[hw];
        Arrays.fill(out, -1);
        int next = 0;
        int[] piece = new int[hw];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        int[] dy = {-1, 0, 1, 0};
        int[] dx = {0, -1, 0, 1};
        for (int start = 0; start < hw; start++) {
            if (out[start] >= 0) {
                continue;
            }
            int adjacent = -1;
            int sy = start / w;
            int sx = start % w;
            for (int d = 0; d < 4; d++) {
                int yy = sy + dy[d];
                int xx = sx + dx[d];
                if (yy >= 0 && yy < h && xx >= 0 && xx < w && out[yy * w + xx] >= 0) {
                    adjacent = out[yy * w + xx];
                }
            }
            int size = 0;
            out[start] = next;
            piece[size++] = start;
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll();
                int py = p / w;
                int px = p % w;
                for (int d = 0; d < 4; d++) {
                    int yy = py + dy[d];
                    int xx = px + dx[d];
                    if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
                        continue;
                    }
                    int q = yy * w + xx;
                    if (out[q] < 0 && label[q] == label[start]) {
                        out[q] = next;
                        piece[size++] = q;
                        queue.add(q);
                    }
                }
            }
            if (size < minSize && adjacent >= 0) {
                for (int i = 0; i < size; i++) {
                    out[piece[i]] = adjacent;
                }
            } else {
                next++;
            }
        }
        return new Segmentation(out, next, h, w);
    }
}
