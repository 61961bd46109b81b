package dev.vigil.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MlpHeadTest {
    /** A head as training leaves it: random weights of the shipped heads' shape. */
    private static MlpHead trained(final SplittableRandom rnd, final int inputs, final int hidden, final int classes) {
        final MlpHead m = new MlpHead(inputs, hidden, classes);
        for (final float[] a : new float[][] {m.w1, m.b1, m.w2, m.b2}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (rnd.nextDouble(-1, 1) / Math.sqrt(inputs));
            }
        }
        return m;
    }

    @Test
    void theFrozenHeadGradesEveryInputToTheBitAsTheTrainedOne() {
        final SplittableRandom rnd = new SplittableRandom(7);
        for (final int hidden : new int[] {1, 7, 64, 129}) {
            final MlpHead head = trained(rnd, 384, hidden, 5);
            final MlpHead frozen = head.frozen();
            for (int n = 0; n < 200; n++) {
                final float[] x = new float[384];
                for (int i = 0; i < x.length; i++) {
                    // Sparse and signed inputs, zeros included, as static vectors give.
                    x[i] = rnd.nextInt(4) == 0 ? 0f : (float) rnd.nextDouble(-0.2, 0.2);
                }
                final double[] p = new double[5];
                final double[] q = new double[5];
                final float[] h = new float[hidden];
                final float[] g = new float[hidden];
                head.probabilities(x, h, p);
                frozen.probabilities(x, g, q);
                assertArrayEquals(h, g, 0f, "hidden layer, " + hidden + " units");
                assertArrayEquals(p, q, 0d, "probabilities, " + hidden + " units");
            }
        }
    }

    @Test
    void freezingTwiceKeepsOneCopy() {
        final MlpHead frozen = trained(new SplittableRandom(1), 8, 4, 3).frozen();
        assertSame(frozen, frozen.frozen());
    }
}
