package dev.loupe.explain.perturbation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.explain.segmentation.Slic;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LimeTest {
    @Test
    void weightedRidgeMatchesItsNormalEquations() {
        // y = 0.5 + 2 z0 − z1 + 0·z2 exactly; with λ → 0 the fit recovers it, with λ = 1 it shrinks.
        Random rnd = new Random(1);
        int rows = 200;
        double[][] z = new double[rows][3];
        double[] y = new double[rows];
        double[] w = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < 3; i++) {
                z[r][i] = rnd.nextBoolean() ? 1 : 0;
            }
            y[r] = 0.5 + 2 * z[r][0] - z[r][1];
            w[r] = 0.2 + rnd.nextDouble();
        }
        Slic.Segmentation seg = new Slic.Segmentation(new int[] {0, 1, 2}, 3, 1, 3);
        Lime.Fit exact = Lime.ridge(seg, z, y, w, 1e-9);
        assertEquals(2, exact.coefficients()[0], 1e-6);
        assertEquals(-1, exact.coefficients()[1], 1e-6);
        assertEquals(0, exact.coefficients()[2], 1e-6);
        assertEquals(0.5, exact.intercept(), 1e-6);
        assertEquals(1, exact.r2(), 1e-9);
        Lime.Fit shrunk = Lime.ridge(seg, z, y, w, 1);
        double c0 = shrunk.coefficients()[0];
        assert c0 < 2 && c0 > 1.9 : c0;
    }

    @Test
    void cosineDistanceToAllOn() {
        assertEquals(0, Lime.cosineDistanceToOnes(new double[] {1, 1, 1, 1}), 1e-12);
        assertEquals(1 - Math.sqrt(0.25), Lime.cosineDistanceToOnes(new double[] {0, 1, 0, 0}), 1e-12);
        assertEquals(1, Lime.cosineDistanceToOnes(new double[] {0, 0, 0, 0}), 1e-12);
    }
}
