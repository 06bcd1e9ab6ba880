package dev.loupe.explain.gradient;

/**
 * Points {@code alphas} in [0, 1] and weights for approximating {@code ∫_0^1 g(α) dα ≈ Σ w_i g(α_i)}
 * along the integrated-gradients path.
 */
public record Quadrature(double[] alphas, double[] weights) {
    /** The rules offered; names as the {@code integration} option spells them. */
    public enum Rule {
        /**
         * Captum's {@code riemann_trapezoid}, kept for parity: {@code n} equally spaced points
         * {@code linspace(0, 1, n)} with weights {@code 1/n}, the two end weights halved. Note the
         * weights sum to {@code (n-1)/n}, not 1 (a textbook trapezoid rule would use {@code 1/(n-1)}),
         * so the attributions are scaled by {@code (n-1)/n} and the completeness gap shrinks only like
         * {@code 1/n}. We keep it as the default on purpose: it is what Captum users get.
         */
        TRAPEZOID("trapezoid"),
        /** The textbook composite trapezoid rule on {@code linspace(0, 1, n)}: weights {@code 1/(n-1)}, ends halved. */
        TRAPEZOID_EXACT("trapezoid-exact"),
        /** Gauss–Legendre on [0, 1]: exact for polynomials of degree {@code 2n-1} (Captum's {@code gausslegendre}). */
        GAUSS_LEGENDRE("gauss-legendre");

        private final String label;

        Rule(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Rule parse(String s) {
            for (Rule r : values()) {
                if (r.label.equals(s)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown integration '" + s + "'; valid: trapezoid, trapezoid-exact, gauss-legendre");
        }
    }

    public static Quadrature of(Rule rule, int n) {
        return switch (rule) {
            case TRAPEZOID -> trapezoid(n, 1.0 / n);
            case TRAPEZOID_EXACT -> trapezoid(n, 1.0 / (n - 1));
            case GAUSS_LEGENDRE -> gaussLegendre(n);
        };
    }

    private static Quadrature trapezoid(int n, double step) {
        if (n < 2) {
            throw new IllegalArgumentException("the trapezoid rule needs at least 2 steps, got " + n);
        }
        double[] a = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            // Captum takes the points from a float32 linspace; round the same way.
            a[i] = (float) ((double) i / (n - 1));
            w[i] = step;
        }
        w[0] /= 2;
        w[n - 1] /= 2;
        return new Quadrature(a, w);
    }

    /** Nodes by Newton's method on the Legendre polynomial P_n, mapped from [-1, 1] to [0, 1]. */
    static Quadrature gaussLegendre(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("Gauss-Legendre needs at least 1 step, got " + n);
        }
        double[] a = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double dp = 0;
            for (int iter = 0; iter < 100; iter++) {
                double p0 = 1;
                double p1 = x;
                for (int k = 2; k <= n; k++) {
                    double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                dp = n * (x * p1 - p0) / (x * x - 1);
                double dx = p1 / dp;
                x -= dx;
                if (Math.abs(dx) < 1e-16) {
                    break;
                }
            }
            double p0 = 1;
            double p1 = x;
            for (int k = 2; k <= n; k++) {
                double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = n * (x * p1 - p0) / (x * x - 1);
            double weight = 2 / ((1 - x * x) * dp * dp);
            // x descends from near 1; store ascending on [0, 1].
            a[n - 1 - i] = 0.5 * (1 + x);
            a[i] = 0.5 * (1 - x);
            w[n - 1 - i] = 0.5 * weight;
            w[i] = 0.5 * weight;
        }
        return new Quadrature(a, w);
    }
}
