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
 * <p>About 7,000 vectors of 384 dimensions (10 MB on the heap, 8-bit in the resource), read only
 * for escalated messages: about 1.4 ms of CPU per encoder input, beside the encoder's 5–12 ms.
 */
public final class NearestLabelled {
    /** Unit-length vectors, one row per labelled message. */
    private final float[] vectors;
    private final byte[] rungs;
    private final int dims;
    /** Neighbours that vote. */
    public final int k;
    /** Share of the blended probabilities that comes from the vote. */
    public final double weight;
    /** Cosine similarity from which a neighbour votes; a farther one leaves its share to the head. */
    public final double minSimilarity;

    public NearestLabelled(final float[] vectors, final byte[] rungs, final int dims, final int k, final double weight,
                           final double minSimilarity) {
        if (vectors.length != rungs.length * dims || k < 1 || k > rungs.length || weight < 0 || weight > 1) {
            throw new IllegalArgumentException("inconsistent labelled vectors");
        }
        this.vectors = vectors;
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
        java.util.Arrays.fill(s.best, Float.NEGATIVE_INFINITY);
        for (int r = 0, base = 0; r < rungs.length; r++, base += dims) {
            // Four running sums in a fixed order: the same result on every JVM, about four
            // times faster than one chain of additions.
            float d0 = 0;
            float d1 = 0;
            float d2 = 0;
            float d3 = 0;
            int d = 0;
            for (; d + 3 < dims; d += 4) {
                d0 += vectors[base + d] * v[d];
                d1 += vectors[base + d + 1] * v[d + 1];
                d2 += vectors[base + d + 2] * v[d + 2];
                d3 += vectors[base + d + 3] * v[d + 3];
            }
            for (; d < dims; d++) {
                d0 += vectors[base + d] * v[d];
            }
            final float dot = (d0 + d1) + (d2 + d3);
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

    /** Per-thread buffers for {@link #blend}. */
    public static final class Scratch {
        final float[] best;
        final int[] row;

        public Scratch(final int k) {
            best = new float[k];
            row = new int[k];
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
        QuantisedRows.write(out, vectors, dims);
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
