package dev.vigil.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StaticVectorsTest {
    @Test
    void aMessageVectorIsTheNormalisedSumOfItsTokensInTheirOrder() {
        final SplittableRandom rnd = new SplittableRandom(3);
        final int dims = 384;
        final int tokens = 500;
        final float[] flat = new float[tokens * dims];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) rnd.nextDouble(-0.1, 0.1);
        }
        final StaticVectors vectors = new StaticVectors(dims, flat);
        assertEquals(tokens, vectors.tokens());
        assertArrayEquals(flat, vectors.flat(), 0f);
        for (int message = 0; message < 50; message++) {
            final int n = 1 + rnd.nextInt(120);
            final int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = rnd.nextInt(tokens);
            }
            // The reference: the same sum, token by token, read from the flat array.
            final float[] expected = new float[dims];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < dims; k++) {
                    expected[k] += flat[ids[i] * dims + k];
                }
            }
            double norm = 0;
            for (final float x : expected) {
                norm += (double) x * x;
            }
            final float inv = (float) (1.0 / Math.sqrt(norm));
            for (int k = 0; k < dims; k++) {
                expected[k] *= inv;
            }
            final float[] out = new float[dims];
            vectors.embed(ids, n, out);
            assertArrayEquals(expected, out, 0f, "message " + message);
        }
    }
}
