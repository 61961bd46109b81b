package dev.vigil.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.schema.CrisisLevel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

/** The labelled neighbours' vote that the encoder tier blends into its grade. */
class NearestLabelledTest {
    private static final byte NONE = (byte) CrisisLevel.NONE.ordinal();
    private static final byte ACTIVE = (byte) CrisisLevel.ACTIVE_IDEATION.ordinal();
    /** Three messages around the x axis labelled active ideation, one on the y axis labelled none. */
    private static final float[][] ROWS = {{1, 0.1f, 0}, {1, -0.1f, 0}, {1, 0, 0.1f}, {0, 1, 0}};
    private static final byte[] RUNGS = {ACTIVE, ACTIVE, ACTIVE, NONE};

    private static NearestLabelled memory(final double weight, final double minSimilarity) {
        return new NearestLabelled(NearestLabelled.unitRows(ROWS), RUNGS.clone(), 3, 3, weight, minSimilarity);
    }

    private static double[] blended(final NearestLabelled m, final float[] message, final double[] head) {
        final double[] p = head.clone();
        m.blend(message, p, m.scratch());
        return p;
    }

    @Test
    void shouldLetAUnanimousVoteOfCloseNeighboursRaiseTheGradeOverTheHead() {
        // The head reads the message as harmless; its three nearest labelled messages are all
        // active ideation: the grade reaches the referral rung.
        final double[] p = blended(memory(0.6, 0.5), new float[] {1, 0, 0}, new double[] {0.9, 0.05, 0.05, 0, 0});
        assertEquals(0.36, p[0], 1e-9);
        assertEquals(0.62, p[2], 1e-9);
        assertEquals(CrisisLevel.ACTIVE_IDEATION, SemanticCrisis.grade(p, 0.5));
        assertEquals(1.0, p[0] + p[1] + p[2] + p[3] + p[4], 1e-9, "still a distribution");
    }

    @Test
    void shouldLeaveAMessageFarFromEveryLabelledOneToTheHead() {
        // Its nearest labelled messages are at cosine 0 and below: they do not vote.
        final double[] head = {0.9, 0.05, 0.05, 0, 0};
        final double[] p = blended(memory(0.6, 0.5), new float[] {0, 0, -1}, head);
        assertArrayEquals(head, p, 1e-12);
        assertEquals(CrisisLevel.NONE, SemanticCrisis.grade(p, 0.5));
    }

    @Test
    void shouldLetTheHeadSettleASplitVote() {
        // Between the none message and the active ones: two of the three nearest are at risk.
        final NearestLabelled m = new NearestLabelled(NearestLabelled.unitRows(
                new float[][] {{1, 0.2f, 0}, {0.2f, 1, 0}, {1, 0.3f, 0}}), new byte[] {ACTIVE, NONE, ACTIVE}, 3, 3, 0.6, 0.1);
        final float[] message = {1, 0.6f, 0};
        assertEquals(CrisisLevel.NONE, SemanticCrisis.grade(blended(m, message, new double[] {0.9, 0.05, 0.05, 0, 0}),
                0.5), "a head sure it is harmless outweighs a two-to-one vote");
        assertEquals(CrisisLevel.ACTIVE_IDEATION, SemanticCrisis.grade(blended(m, message, new double[] {0.6, 0.1, 0.3, 0, 0}),
                0.5), "a head at 0.3 joins a two-to-one vote");
    }

    @Test
    void shouldReadBackWhatItWroteAndVoteTheSame() throws Exception {
        final NearestLabelled m = memory(0.6, 0.5);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.write(new DataOutputStream(bytes));
        final NearestLabelled back = NearestLabelled.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(m.size(), back.size());
        assertEquals(m.k, back.k);
        assertEquals(m.weight, back.weight);
        assertEquals(m.minSimilarity, back.minSimilarity);
        for (final float[] message : new float[][] {{1, 0, 0}, {0, 1, 0}, {0.7f, 0.7f, 0}, {0, 0, -1}}) {
            final double[] head = {0.7, 0.1, 0.1, 0.05, 0.05};
            assertArrayEquals(blended(m, message, head), blended(back, message, head), 1e-6);
        }
        assertTrue(bytes.size() < 4 * ROWS.length * 3 + 64, "vectors stored at 8 bits");
    }

    /** The vote as it was first written: a dot product per labelled row, four running sums, row by row. */
    private static double[] rowByRow(final float[] rows, final byte[] rungs, final int dims, final int k, final double weight,
                                     final double minSimilarity, final float[] v, final double[] head) {
        final float[] best = new float[k];
        final int[] at = new int[k];
        java.util.Arrays.fill(best, Float.NEGATIVE_INFINITY);
        for (int r = 0, base = 0; r < rungs.length; r++, base += dims) {
            float d0 = 0;
            float d1 = 0;
            float d2 = 0;
            float d3 = 0;
            int d = 0;
            for (; d + 3 < dims; d += 4) {
                d0 += rows[base + d] * v[d];
                d1 += rows[base + d + 1] * v[d + 1];
                d2 += rows[base + d + 2] * v[d + 2];
                d3 += rows[base + d + 3] * v[d + 3];
            }
            for (; d < dims; d++) {
                d0 += rows[base + d] * v[d];
            }
            final float dot = (d0 + d1) + (d2 + d3);
            if (dot > best[k - 1]) {
                int i = k - 1;
                while (i > 0 && dot > best[i - 1]) {
                    best[i] = best[i - 1];
                    at[i] = at[i - 1];
                    i--;
                }
                best[i] = dot;
                at[i] = r;
            }
        }
        int close = 0;
        while (close < k && best[close] >= minSimilarity) {
            close++;
        }
        final double[] p = head.clone();
        final double share = weight * close / k;
        for (int c = 0; c < p.length; c++) {
            p[c] *= 1 - share;
        }
        for (int j = 0; j < close; j++) {
            p[rungs[at[j]]] += weight / k;
        }
        return p;
    }

    @Test
    void shouldVoteExactlyAsARowByRowDotProductWould() {
        // The vote sums a dimension at a time; every similarity must still be the row-by-row one
        // to the bit, or a near tie would pick a different neighbour than the model was measured with.
        final java.util.Random random = new java.util.Random(11);
        for (final int dims : new int[] {384, 7}) {
            final int n = 2_000;
            final float[][] raw = new float[n][dims];
            for (int r = 0; r < n; r++) {
                for (int d = 0; d < dims; d++) {
                    raw[r][d] = (float) random.nextGaussian();
                }
            }
            // Exact duplicates make ties, which must go to the earlier row (the first query is beside them).
            raw[1_500] = raw[10].clone();
            raw[1_900] = raw[10].clone();
            final float[] rows = NearestLabelled.unitRows(raw);
            final byte[] rungs = new byte[n];
            for (int r = 0; r < n; r++) {
                rungs[r] = (byte) random.nextInt(5);
            }
            final NearestLabelled m = new NearestLabelled(rows, rungs, dims, 3, 0.6, 0.0);
            final NearestLabelled.Scratch scratch = m.scratch();
            int voted = 0;
            for (int q = 0; q < 200; q++) {
                final float[] v = new float[dims];
                final int near = q == 0 ? 10 : random.nextInt(n);
                for (int d = 0; d < dims; d++) {
                    // Most queries close to a labelled row, so the vote is not always empty.
                    v[d] = rows[near * dims + d] + (float) (0.05 * random.nextGaussian());
                }
                final double[] head = {0.5, 0.2, 0.1, 0.1, 0.1};
                final double[] expected = rowByRow(rows, rungs, dims, 3, 0.6, 0.0, v, head);
                final double[] p = head.clone();
                m.blend(v, p, scratch);
                assertArrayEquals(expected, p, 0.0, "query " + q + " at " + dims + " dimensions");
                voted += java.util.Arrays.equals(expected, head) ? 0 : 1;
            }
            assertTrue(voted > 150, "the neighbours voted on most queries: " + voted);
        }
    }
}
