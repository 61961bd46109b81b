package dev.vigil.classify;

import java.util.Random;

/**
 * CPU time of the labelled neighbours' vote on one escalated message, with the shipped model's
 * labelled messages: the part of an escalation that runs in Java after the encoder. Not a test;
 * run from the repository root after {@code mvn -B -q -pl streams-app -am test-compile}:
 * <pre>
 * java -cp streams-app/target/test-classes:streams-app/target/classes:streams-app/target/lib/* \
 *      dev.vigil.classify.NeighbourVoteTiming
 * </pre>
 * It prints the mean CPU time per vote over six rounds of two CPU-seconds each, on random unit vectors (the
 * vote reads every labelled message whatever the message is).
 */
public final class NeighbourVoteTiming {
    private NeighbourVoteTiming() {
    }

    public static void main(final String[] args) {
        final NearestLabelled near = SemanticCrisis.load().neighbours();
        final Random random = new Random(1);
        final float[][] messages = new float[64][SentenceEncoder.DIMENSIONS];
        for (final float[] m : messages) {
            double norm = 0;
            for (int d = 0; d < m.length; d++) {
                m[d] = (float) random.nextGaussian();
                norm += m[d] * (double) m[d];
            }
            for (int d = 0; d < m.length; d++) {
                m[d] /= (float) Math.sqrt(norm);
            }
        }
        final NearestLabelled.Scratch scratch = near.scratch();
        final double[] p = new double[5];
        System.out.printf("%,d labelled messages%n", near.size());
        for (int round = 0; round < 6; round++) {
            final long start = cpu();
            int votes = 0;
            while (cpu() - start < 2_000_000_000L) {
                p[0] = 1;
                near.blend(messages[votes++ & 63], p, scratch);
            }
            System.out.printf("round %d: %.2f ms per vote%n", round, (cpu() - start) / 1e6 / votes);
        }
    }

    /** CPU time of this thread: the figure does not count time the machine gave to other work. */
    private static long cpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }
}
