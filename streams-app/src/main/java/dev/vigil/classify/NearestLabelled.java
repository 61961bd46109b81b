package dev.vigil.classify;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The labelled training messages of the crisis tier, kept as encoder vectors: an escalated
 * message's {@link #k} nearest ones (cosine) vote on its rung.
 *
 * <p>Why beside the grade head: a head fitted to a few thousand messages draws one boundary for
 * every way of asking, and a request worded unlike most of its training requests falls on the
 * wrong side of it. The nearest labelled messages keep each wording's own answer: a question for
 * a lethal dose sits next to the dose requests, a parent's question after an accidental swallow
 * next to the other people's safety questions. The two are blended ({@link #weight}), so a split
 * vote is settled by the head and a unanimous one of close neighbours by the neighbours.
 *
 * <p>About 15,000 vectors of 384 dimensions (23 MB on the heap, 8-bit in the resource), read
 * only for escalated messages. They are kept one array per dimension, so the similarities of every
 * labelled message to the escalated one are summed a dimension at a time over arrays the JIT
 * vectorises; each similarity still adds the same products in the same order as a row-by-row dot
 * product, so the vote is the same to the bit, in well under half the time.
 */
public final class NearestLabelled {
    /** Unit-length vectors, one array per dimension: {@code columns[d][r]} is row r's d-th value. */
    private final float[][] columns;
    private final byte[] rungs;
    private final int dims;
    /** Neighbours that vote. */
    public final int k;
    /** Share of the blended probabilities that comes from the vote. */
    public final double weight;
    /** Cosine similarity from which a neighbour votes; a farther one leaves its share to the head. */
    public final double minSimilarity;

    /** {@code vectors}: unit-length rows of {@code dims}, one per labelled message, one after the other. */
    public NearestLabelled(final float[] vectors, final byte[] rungs, final int dims, final int k, final double weight,
                           final double minSimilarity) {
        if (vectors.length != rungs.length * dims || k < 1 || k > rungs.length || weight < 0 || weight > 1) {
            throw new IllegalArgumentException("inconsistent labelled vectors");
        }
        this.columns = new float[dims][rungs.length];
        for (int r = 0, base = 0; r < rungs.length; r++, base += dims) {
            for (int d = 0; d < dims; d++) {
                columns[d][r] = vectors[base + d];
            }
        }
        this.rungs = rungs;
        this.dims = dims;
        this.k = k;
        this.weight = weight;
        this.minSimilarity = minSimilarity;
    }

    public int size() {
        return rungs.length;
    }

    /**
     * Blends the vote of the {@link #k} labelled messages nearest to {@code v} into the head's
     * class probabilities {@code p}, in place. Ties in similarity go to the earlier message, so the
     * same vector always gets the same vote.
     */
    public void blend(final float[] v, final double[] p, final Scratch s) {
        final int n = rungs.length;
        // Four running sums per labelled message, dimension d going to sum d % 4 (the rest to the
        // first), added in dimension order and combined as (s0 + s1) + (s2 + s3): the same
        // result on every JVM, and each loop below reads whole arrays from the start, which the
        // JIT turns into vector instructions.
        final float[] s0 = s.sum0;
        final float[] s1 = s.sum1;
        final float[] s2 = s.sum2;
        final float[] s3 = s.sum3;
        java.util.Arrays.fill(s0, 0f);
        java.util.Arrays.fill(s1, 0f);
        java.util.Arrays.fill(s2, 0f);
        java.util.Arrays.fill(s3, 0f);
        int d = 0;
        for (; d + 3 < dims; d += 4) {
            addScaled(s0, columns[d], v[d], n);
            addScaled(s1, columns[d + 1], v[d + 1], n);
            addScaled(s2, columns[d + 2], v[d + 2], n);
            addScaled(s3, columns[d + 3], v[d + 3], n);
        }
        for (; d < dims; d++) {
            addScaled(s0, columns[d], v[d], n);
        }
        java.util.Arrays.fill(s.best, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < n; r++) {
            final float dot = (s0[r] + s1[r]) + (s2[r] + s3[r]);
            if (dot > s.best[k - 1]) {
                int at = k - 1;
                while (at > 0 && dot > s.best[at - 1]) {
                    s.best[at] = s.best[at - 1];
                    s.row[at] = s.row[at - 1];
                    at--;
                }
                s.best[at] = dot;
                s.row[at] = r;
            }
        }
        // A neighbour votes only when it is close: a message unlike anything labelled (an
        // off-road trip beside drives off a cliff, at 0.45) is left to the head.
        int close = 0;
        while (close < k && s.best[close] >= minSimilarity) {
            close++;
        }
        final double share = weight * close / k;
        for (int c = 0; c < p.length; c++) {
            p[c] *= 1 - share;
        }
        for (int j = 0; j < close; j++) {
            p[rungs[s.row[j]]] += weight / k;
        }
    }

    /** {@code sums[r] += column[r] * x} for the first {@code n} rows. */
    private static void addScaled(final float[] sums, final float[] column, final float x, final int n) {
        for (int r = 0; r < n; r++) {
            sums[r] += column[r] * x;
        }
    }

    /** Buffers for {@link #blend} on one thread, sized for these labelled messages. */
    public Scratch scratch() {
        return new Scratch(k, rungs.length);
    }

    /** Per-thread buffers for {@link #blend}: the best {@code k} so far, and four running sums per labelled message. */
    public static final class Scratch {
        final float[] best;
        final int[] row;
        final float[] sum0;
        final float[] sum1;
        final float[] sum2;
        final float[] sum3;

        private Scratch(final int k, final int n) {
            best = new float[k];
            row = new int[k];
            sum0 = new float[n];
            sum1 = new float[n];
            sum2 = new float[n];
            sum3 = new float[n];
        }
    }

    /** Stores the vectors as {@link QuantisedRows}, a quarter of the size. */
    void write(final DataOutputStream out) throws IOException {
        out.writeInt(rungs.length);
        out.writeInt(dims);
        out.writeInt(k);
        out.writeDouble(weight);
        out.writeDouble(minSimilarity);
        out.write(rungs);
        final float[] rows = new float[rungs.length * dims];
        for (int r = 0, base = 0; r < rungs.length; r++, base += dims) {
            for (int d = 0; d < dims; d++) {
                rows[base + d] = columns[d][r];
            }
        }
        QuantisedRows.write(out, rows, dims);
    }

    static NearestLabelled read(final DataInputStream in) throws IOException {
        final int n = in.readInt();
        final int dims = in.readInt();
        final int k = in.readInt();
        final double weight = in.readDouble();
        final double minSimilarity = in.readDouble();
        final byte[] rungs = new byte[n];
        in.readFully(rungs);
        final float[] v = QuantisedRows.read(in, n, dims);
        return new NearestLabelled(v, rungs, dims, k, weight, minSimilarity);
    }

    /** Unit-length copies of {@code rows} as one array, quantised as {@link #write} stores them. */
    public static float[] unitRows(final float[][] rows) {
        final int dims = rows[0].length;
        final float[] out = new float[rows.length * dims];
        for (int r = 0; r < rows.length; r++) {
            double norm = 0;
            for (final float x : rows[r]) {
                norm += x * (double) x;
            }
            final double inv = norm == 0 ? 0 : 1 / Math.sqrt(norm);
            for (int d = 0; d < dims; d++) {
                out[r * dims + d] = (float) (rows[r][d] * inv);
            }
        }
        QuantisedRows.quantise(out, dims);
        return out;
    }
}
