package dev.vigil.aggregate;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistinctCounterTest {
    @Test
    void shouldCountExactlyUpToTheCapWhereKAnonymityDecides() {
        final DistinctCounter c = new DistinctCounter();
        final SplittableRandom random = new SplittableRandom(1);
        final long[] accounts = new long[500];
        for (int i = 0; i < accounts.length; i++) {
            accounts[i] = random.nextLong();
        }
        for (int round = 0; round < 3; round++) {
            for (final long a : accounts) {
                c.add(a, 500);
            }
        }
        assertTrue(c.isExact());
        assertEquals(500, c.count());
    }

    @Test
    void shouldEstimateWithinAFewPercentAboveTheCap() {
        final DistinctCounter c = new DistinctCounter();
        final SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 200_000; i++) {
            c.add(random.nextLong(), 1_000);
        }
        assertFalse(c.isExact());
        assertEquals(200_000, c.count(), 200_000 * 0.05);
    }
}
