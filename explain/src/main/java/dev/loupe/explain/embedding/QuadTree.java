package dev.loupe.explain.embedding;

import java.util.Arrays;

/**
 * A point quadtree over 2-D positions in flat arrays, for the Barnes–Hut approximation of t-SNE's
 * repulsive forces: each cell keeps its point count and centre of mass, so a far-away cell acts
 * as one heavy point. Leaves hold one point, except at the depth limit where coincident points
 * share a leaf.
 */
final class QuadTree {
    private static final int MAX_DEPTH = 48;

    private final double[] y;
    private int cells;
    private double[] cx;
    private double[] cy;
    private double[] width;
    private double[] comX;
    private double[] comY;
    private int[] count;
    private int[] firstChild;
    private int[] head;
    private final int[] next;

    /** Builds the tree of the n points of {@code y} ({@code [x0, y0, x1, y1, ...]}). */
    QuadTree(double[] y, int n) {
        this.y = y;
        this.next = new int[n];
        int cap = Math.max(16, 4 * n);
        cx = new double[cap];
        cy = new double[cap];
        width = new double[cap];
        comX = new double[cap];
        comY = new double[cap];
        count = new int[cap];
        firstChild = new int[cap];
        head = new int[cap];
        double minX = Double.POSITIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            minX = Math.min(minX, y[2 * i]);
            maxX = Math.max(maxX, y[2 * i]);
            minY = Math.min(minY, y[2 * i + 1]);
            maxY = Math.max(maxY, y[2 * i + 1]);
        }
        double w = Math.max(maxX - minX, maxY - minY) * (1 + 1e-9) + 1e-9;
        newCell((minX + maxX) / 2, (minY + maxY) / 2, w);
        for (int i = 0; i < n; i++) {
            insert(i);
        }
        packed = new double[4 * cells];
        for (int c = 0; c < cells; c++) {
            if (count[c] > 0) {
                comX[c] /= count[c];
                comY[c] /= count[c];
            }
            packed[4 * c] = comX[c];
            packed[4 * c + 1] = comY[c];
            packed[4 * c + 2] = width[c] * width[c];
            packed[4 * c + 3] = count[c];
        }
    }

    /** Per cell, for the traversal: centre of mass x, y, squared width, count (one cache line for two cells). */
    private double[] packed;

    private int newCell(double x, double yy, double w) {
        if (cells == cx.length) {
            int cap = cells * 2;
            cx = Arrays.copyOf(cx, cap);
            cy = Arrays.copyOf(cy, cap);
            width = Arrays.copyOf(width, cap);
            comX = Arrays.copyOf(comX, cap);
            comY = Arrays.copyOf(comY, cap);
            count = Arrays.copyOf(count, cap);
            firstChild = Arrays.copyOf(firstChild, cap);
            head = Arrays.copyOf(head, cap);
        }
        int c = cells++;
        cx[c] = x;
        cy[c] = yy;
        width[c] = w;
        comX[c] = 0;
        comY[c] = 0;
        count[c] = 0;
        firstChild[c] = -1;
        head[c] = -1;
        return c;
    }

    private void insert(int i) {
        double px = y[2 * i];
        double py = y[2 * i + 1];
        int c = 0;
        for (int depth = 0; ; depth++) {
            count[c]++;
            comX[c] += px;
            comY[c] += py;
            if (firstChild[c] < 0) {
                if (head[c] < 0 || depth >= MAX_DEPTH) {
                    next[i] = head[c];
                    head[c] = i;
                    return;
                }
                // Split: the resident point moves into its child (it is alone unless at MAX_DEPTH, excluded above).
                int resident = head[c];
                head[c] = -1;
                double h = width[c] / 2;
                double q = width[c] / 4;
                int first = newCell(cx[c] - q, cy[c] - q, h);
                newCell(cx[c] + q, cy[c] - q, h);
                newCell(cx[c] - q, cy[c] + q, h);
                newCell(cx[c] + q, cy[c] + q, h);
                firstChild[c] = first;
                int rc = first + quadrant(c, y[2 * resident], y[2 * resident + 1]);
                count[rc] = 1;
                comX[rc] = y[2 * resident];
                comY[rc] = y[2 * resident + 1];
                next[resident] = -1;
                head[rc] = resident;
            }
            c = firstChild[c] + quadrant(c, px, py);
        }
    }

    private int quadrant(int c, double px, double py) {
        return (px >= cx[c] ? 1 : 0) + (py >= cy[c] ? 2 : 0);
    }

    /**
     * Adds to {@code force[0..1]} the unnormalised repulsion on point i,
     * {@code Σ_j q_ij² (y_i − y_j)} with {@code q_ij = 1/(1+|y_i−y_j|²)}, and returns
     * {@code Σ_j q_ij}; a cell whose width is below {@code theta} times its distance counts as
     * one point of its mass at its centre of mass.
     */
    double repulsion(int i, double theta, double[] force, int[] stack) {
        double px = y[2 * i];
        double py = y[2 * i + 1];
        double theta2 = theta * theta;
        double sumQ = 0;
        double fx = 0;
        double fy = 0;
        int top = 0;
        stack[top++] = 0;
        double[] pk = packed;
        int[] fc = firstChild;
        while (top > 0) {
            int c = stack[--top];
            int b = 4 * c;
            double cnt = pk[b + 3];
            int f = fc[c];
            if (f < 0) {
                for (int j = head[c]; j >= 0; j = next[j]) {
                    if (j == i) {
                        continue;
                    }
                    double dx = px - y[2 * j];
                    double dy = py - y[2 * j + 1];
                    double q = 1 / (1 + dx * dx + dy * dy);
                    sumQ += q;
                    fx += q * q * dx;
                    fy += q * q * dy;
                }
                continue;
            }
            double dx = px - pk[b];
            double dy = py - pk[b + 1];
            double d2 = dx * dx + dy * dy;
            if (pk[b + 2] < theta2 * d2) {
                double q = 1 / (1 + d2);
                double mq = cnt * q;
                sumQ += mq;
                fx += mq * q * dx;
                fy += mq * q * dy;
            } else {
                // Empty quadrants are common; skipping them here saves a push, a pop and a cache miss.
                for (int q = f; q < f + 4; q++) {
                    if (pk[4 * q + 3] != 0) {
                        stack[top++] = q;
                    }
                }
            }
        }
        force[0] += fx;
        force[1] += fy;
        return sumQ;
    }

    /** A stack large enough for {@link #repulsion}. */
    int[] newStack() {
        return new int[4 * MAX_DEPTH + 8 + 4 * 64];
    }
}
