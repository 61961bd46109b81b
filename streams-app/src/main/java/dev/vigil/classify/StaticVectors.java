package dev.vigil.classify;

/**
 * One vector per encoder vocabulary token, distilled from the sentence encoder (see
 * {@code classify.train.Distill}); a message's vector is the L2-normalised mean of its tokens'
 * vectors. This is what lets the semantic tier read every human message in microseconds: the
 * encoder's view of each word, computed once at training time.
 */
public final class StaticVectors {
    public final int dims;
    /**
     * One array per token, already weighted by the token's rarity. Why not one flat array: the
     * sum in {@link #embed} reads each token's vector from index 0, which the JIT (JDK 17)
     * vectorises; from an offset into a flat array it did not.
     */
    private final float[][] rows;

    /** {@code vectors} holds {@code [token][dims]} flat. */
    public StaticVectors(final int dims, final float[] vectors) {
        this.dims = dims;
        this.rows = new float[vectors.length / dims][];
        for (int t = 0; t < rows.length; t++) {
            rows[t] = java.util.Arrays.copyOfRange(vectors, t * dims, (t + 1) * dims);
        }
    }

    public int tokens() {
        return rows.length;
    }

    /** A flat copy, {@code [token][dims]}, as the constructor takes it. */
    float[] flat() {
        final float[] out = new float[rows.length * dims];
        for (int t = 0; t < rows.length; t++) {
            System.arraycopy(rows[t], 0, out, t * dims, dims);
        }
        return out;
    }

    /** The message vector of the first {@code n} ids into {@code out} (length {@link #dims}). */
    public void embed(final int[] ids, final int n, final float[] out) {
        java.util.Arrays.fill(out, 0f);
        final int d = dims;
        for (int i = 0; i < n; i++) {
            final float[] row = rows[ids[i]];
            for (int k = 0; k < d; k++) {
                out[k] += row[k];
            }
        }
        double norm = 0;
        for (int k = 0; k < d; k++) {
            norm += (double) out[k] * out[k];
        }
        if (norm == 0) {
            return;
        }
        final float inv = (float) (1.0 / Math.sqrt(norm));
        for (int k = 0; k < d; k++) {
            out[k] *= inv;
        }
    }
}
