package dev.vigil.classify.train;

import dev.vigil.classify.MlpHead;

/**
 * Full-batch training of the crisis tier's grade heads by Adam with a fixed step schedule and a
 * seeded initialisation, so the same examples in the same order give the same weights bit for bit
 * on the same JVM.
 */
final class Fit {
    private Fit() {
    }

    /**
     * Fits a one-hidden-layer head: full-batch Adam from a seeded initialisation, so the same
     * examples give the same weights on the same JVM.
     */
    static MlpHead mlp(final float[][] x, final int[] y, final double[] w, final int classes, final int hidden,
                       final double l2, final int iterations, final long seed) {
        final int n = x.length;
        final int d = x[0].length;
        final MlpHead m = new MlpHead(d, hidden, classes);
        final java.util.Random rnd = new java.util.Random(seed);
        final double s1 = Math.sqrt(2.0 / d);
        for (int i = 0; i < m.w1.length; i++) {
            m.w1[i] = (float) (rnd.nextGaussian() * s1);
        }
        final double s2 = Math.sqrt(1.0 / hidden);
        for (int i = 0; i < m.w2.length; i++) {
            m.w2[i] = (float) (rnd.nextGaussian() * s2);
        }
        final float[][] params = {m.w1, m.b1, m.w2, m.b2};
        final double[][] grads = new double[4][];
        final double[][] mom = new double[4][];
        final double[][] vel = new double[4][];
        for (int k = 0; k < 4; k++) {
            grads[k] = new double[params[k].length];
            mom[k] = new double[params[k].length];
            vel[k] = new double[params[k].length];
        }
        double total = 0;
        for (final double v : w) {
            total += v;
        }
        final float[] h = new float[hidden];
        final double[] p = new double[classes];
        final double[] dh = new double[hidden];
        for (int it = 1; it <= iterations; it++) {
            for (final double[] g : grads) {
                java.util.Arrays.fill(g, 0);
            }
            for (int i = 0; i < n; i++) {
                m.probabilities(x[i], h, p);
                final double wi = w[i] / total;
                java.util.Arrays.fill(dh, 0);
                for (int c = 0; c < classes; c++) {
                    final double g = (p[c] - (y[i] == c ? 1 : 0)) * wi;
                    grads[3][c] += g;
                    final int base = c * hidden;
                    for (int j = 0; j < hidden; j++) {
                        grads[2][base + j] += g * h[j];
                        dh[j] += g * m.w2[base + j];
                    }
                }
                final float[] xi = x[i];
                for (int j = 0; j < hidden; j++) {
                    if (h[j] <= 0) {
                        continue;
                    }
                    final double g = dh[j];
                    grads[1][j] += g;
                    final int base = j * d;
                    for (int k = 0; k < d; k++) {
                        grads[0][base + k] += g * xi[k];
                    }
                }
            }
            final double lr = 0.01 * (it < iterations * 2 / 3 ? 1 : 0.3);
            final double c1 = 1 - Math.pow(0.9, it);
            final double c2 = 1 - Math.pow(0.999, it);
            for (int k = 0; k < 4; k++) {
                final float[] par = params[k];
                final double[] g = grads[k];
                final boolean decay = k == 0 || k == 2;
                for (int q = 0; q < par.length; q++) {
                    final double gq = g[q] + (decay ? l2 * par[q] : 0);
                    mom[k][q] = 0.9 * mom[k][q] + 0.1 * gq;
                    vel[k][q] = 0.999 * vel[k][q] + 0.001 * gq * gq;
                    par[q] -= (float) (lr * (mom[k][q] / c1) / (Math.sqrt(vel[k][q] / c2) + 1e-8));
                }
            }
        }
        return m;
    }
}
