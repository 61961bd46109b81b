package dev.vigil.classify;

/**
 * One vector per encoder vocabulary token, distilled from the sentence encoder (see
 * {@code classify.train.Distill}); a message's vector is the L2-normalised mean of its tokens'
 * vectors. This is what lets the semantic tier read every human message in microseconds: the
 * encoder's view of each word, computed once at training time.
 */
public final class StaticVectors {
    public final int dims;
    /** {@code [token][dims]}, already weighted by the token's rarity. */
    final float[] vectors;

    public StaticVectors(final int dims, final float[] vectors) {
        this.dims = dims;
        this.vectors = vectors;
    }

    public int tokens() {
        return vectors.length / dims;
    }

    /** The message vector of the first {@code n} ids into {@code out} (length {@link #dims}). */
    public void embed(final int[] ids, final int n, final float[] out) {
        java.util.Arrays.fill(out, 0f);
        final int d = dims;
        final float[] v = vectors;
        for (int i = 0; i < n; i++) {
            final int base = ids[i] * d;
            for (int k = 0; k < d; k++) {
                out[k] += v[base + k];
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
