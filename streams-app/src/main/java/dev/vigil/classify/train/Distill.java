package dev.vigil.classify.train;

import dev.vigil.classify.SentenceEncoder;
import dev.vigil.classify.WordPiece;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Static token vectors distilled from the sentence encoder (the Model2Vec method): every
 * vocabulary token is encoded once on its own, the vectors are reduced by PCA, and each is
 * weighted by how rare its token is (smooth inverse frequency), so a message's vector, the mean of
 * its tokens' vectors, leans on its content words. Deterministic: the same encoder, vocabulary and
 * corpus give the same vectors.
 */
final class Distill {
    private Distill() {
    }

    /** The encoder's vector of every vocabulary token alone ({@code [CLS] token [SEP]}). */
    static float[][] tokenVectors(final WordPiece vocab, final SentenceEncoder encoder, final PrintStream log) {
        final int v = vocab.size();
        final float[][] out = new float[v][];
        final int batch = 512;
        final int[][] ids = new int[batch][1];
        final int[] lengths = new int[batch];
        java.util.Arrays.fill(lengths, 1);
        for (int start = 0; start < v; start += batch) {
            final int n = Math.min(batch, v - start);
            final int[][] b = n == batch ? ids : new int[n][1];
            final int[] len = n == batch ? lengths : java.util.Arrays.copyOf(lengths, n);
            for (int i = 0; i < n; i++) {
                b[i][0] = start + i;
            }
            final float[][] vec = encoder.encodeBatch(b, len);
            System.arraycopy(vec, 0, out, start, n);
            if (log != null && (start / batch) % 10 == 0) {
                log.printf(Locale.ROOT, "  distilling token vectors: %d / %d%n", start + n, v);
            }
        }
        return out;
    }

    /** Principal axes of the rows of {@code x}: {@code [dims][columns]}, largest variance first, and the mean. */
    static float[][] pca(final float[][] x, final int dims, final double[] meanOut) {
        final int d = x[0].length;
        final double[] mean = new double[d];
        for (final float[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= x.length;
        }
        final double[][] cov = new double[d][d];
        final double[] c = new double[d];
        for (final float[] row : x) {
            for (int j = 0; j < d; j++) {
                c[j] = row[j] - mean[j];
            }
            for (int a = 0; a < d; a++) {
                final double ca = c[a];
                final double[] ra = cov[a];
                for (int b = a; b < d; b++) {
                    ra[b] += ca * c[b];
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                cov[a][b] /= x.length;
                cov[b][a] = cov[a][b];
            }
        }
        final double[][] vectors = new double[d][d];
        final double[] values = jacobi(cov, vectors);
        final Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        final float[][] axes = new float[dims][d];
        for (int k = 0; k < dims; k++) {
            final int col = order[k];
            // A deterministic sign: the largest component positive.
            int big = 0;
            for (int j = 0; j < d; j++) {
                if (Math.abs(vectors[j][col]) > Math.abs(vectors[big][col])) {
                    big = j;
                }
            }
            final double sign = vectors[big][col] < 0 ? -1 : 1;
            for (int j = 0; j < d; j++) {
                axes[k][j] = (float) (sign * vectors[j][col]);
            }
        }
        System.arraycopy(mean, 0, meanOut, 0, d);
        return axes;
    }

    /** Cyclic Jacobi eigen-decomposition of symmetric {@code a} (destroyed); eigenvectors in columns of {@code v}. */
    private static double[] jacobi(final double[][] a, final double[][] v) {
        final int n = a.length;
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 60; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off < 1e-22) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    final double apq = a[p][q];
                    if (Math.abs(apq) < 1e-30) {
                        continue;
                    }
                    final double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    final double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    final double cs = 1 / Math.sqrt(t * t + 1);
                    final double sn = t * cs;
                    for (int k = 0; k < n; k++) {
                        final double akp = a[k][p];
                        final double akq = a[k][q];
                        a[k][p] = cs * akp - sn * akq;
                        a[k][q] = sn * akp + cs * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        final double apk = a[p][k];
                        final double aqk = a[q][k];
                        a[p][k] = cs * apk - sn * aqk;
                        a[q][k] = sn * apk + cs * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        final double vkp = v[k][p];
                        final double vkq = v[k][q];
                        v[k][p] = cs * vkp - sn * vkq;
                        v[k][q] = sn * vkp + cs * vkq;
                    }
                }
            }
        }
        final double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
        return values;
    }

    /**
     * Static vectors: each token's encoder vector, centred, projected on the principal axes and
     * scaled by its smooth inverse frequency {@code a / (a + p(token))} in {@code counts}.
     */
    static float[] project(final float[][] tokens, final float[][] axes, final double[] mean, final long[] counts,
                           final double a) {
        final int v = tokens.length;
        final int dims = axes.length;
        final int d = mean.length;
        long total = 0;
        for (final long c : counts) {
            total += c;
        }
        final float[] out = new float[v * dims];
        final double[] centred = new double[d];
        for (int t = 0; t < v; t++) {
            for (int j = 0; j < d; j++) {
                centred[j] = tokens[t][j] - mean[j];
            }
            final double p = total == 0 ? 0 : (double) counts[t] / total;
            final double weight = a / (a + p);
            for (int k = 0; k < dims; k++) {
                double s = 0;
                final float[] axis = axes[k];
                for (int j = 0; j < d; j++) {
                    s += axis[j] * centred[j];
                }
                out[t * dims + k] = (float) (s * weight);
            }
        }
        return out;
    }
}
