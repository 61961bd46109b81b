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
        m.blend(message, p, new NearestLabelled.Scratch(m.k));
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
}
