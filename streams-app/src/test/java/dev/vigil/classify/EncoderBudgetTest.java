package dev.vigil.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EncoderBudgetTest {
    @Test
    void shouldRefuseCallsPastTheBurstUntilEventTimeRefillsIt() {
        final EncoderBudget b = new EncoderBudget(2, 2);
        final long t = 1_700_000_000_000L;
        assertTrue(b.tryAcquire(t));
        assertTrue(b.tryAcquire(t));
        assertFalse(b.tryAcquire(t), "the burst is spent and event time has not moved");
        assertTrue(b.tryAcquire(t + 500), "half a second at 2/s buys one call");
        assertFalse(b.tryAcquire(t + 500));
        assertEquals(3, b.granted());
        assertEquals(2, b.overflow());
    }

    @Test
    void shouldNotRefillFromEventsOlderThanItsClock() {
        final EncoderBudget b = new EncoderBudget(1, 1);
        final long t = 1_700_000_000_000L;
        assertTrue(b.tryAcquire(t));
        assertFalse(b.tryAcquire(t - 10_000), "an older event is not time passing");
    }

    @Test
    void shouldLetFutureStampedEventsRefillTheBucketOnlyOnce() {
        final long t = 1_700_000_000_000L;
        final EncoderBudget b = new EncoderBudget(1, 5, () -> t);
        for (int i = 0; i < 5; i++) {
            assertTrue(b.tryAcquire(t));
        }
        // Stamped 30 years ahead: the clock stops a minute past the wall clock, and the bucket holds 5.
        int granted = 0;
        for (int i = 0; i < 20; i++) {
            granted += b.tryAcquire(t + 30L * 365 * 86_400_000) ? 1 : 0;
        }
        assertEquals(5, granted);
        assertFalse(b.tryAcquire(t + 59_000), "the clock is ahead of real event time now: no refill");
    }

    @Test
    void shouldGrantEveryCallWhenUnlimited() {
        for (int i = 0; i < 1000; i++) {
            assertTrue(EncoderBudget.UNLIMITED.tryAcquire(0));
        }
    }

    @Test
    void shouldGrantAPartitionWhatItsOwnEventsBuyWhateverTheOtherPartitionsDid() {
        final long t = 1_700_000_000_000L;
        // Two partitions share 2 calls a second, a burst of 2: one each.
        final EncoderBudget alone = new EncoderBudget(2, 2, 2);
        final EncoderBudget shared = new EncoderBudget(2, 2, 2);
        // On the shared instance partition 0 ran an hour ahead first (a survivor that then takes
        // over a killed instance's partition 1 and its backlog).
        for (int s = 0; s < 3600; s++) {
            shared.tryAcquire(0, t + s * 1000L, 1);
        }
        final StringBuilder a = new StringBuilder();
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            final long at = t + i * 250L;
            a.append(alone.tryAcquire(1, at, 1) ? 'y' : 'n');
            b.append(shared.tryAcquire(1, at, 1) ? 'y' : 'n');
        }
        assertEquals(a.toString(), b.toString(), "partition 1 is granted the same calls either way");
        assertTrue(a.indexOf("n") > 0 && a.indexOf("y", a.indexOf("n")) > 0,
                "its share (one call a second) binds and refills: " + a);
    }

    @Test
    void shouldKeepTheLastCallsForTheMostUrgentEscalations() {
        final long t = 1_700_000_000_000L;
        // Ten calls of room, nine of them reserved in proportion to urgency.
        final EncoderBudget b = new EncoderBudget(10, 10, 1, 0.9, () -> t);
        assertTrue(b.tryAcquire(0, t, 0), "a full bucket encodes even the least urgent escalation");
        assertFalse(b.tryAcquire(0, t, 0), "the rest is reserve: not for the least urgent");
        int middling = 0;
        while (b.tryAcquire(0, t, 0.5)) {
            middling++;
        }
        assertEquals(4, middling, "half as urgent: down to about half the reserve");
        int urgent = 0;
        while (b.tryAcquire(0, t, 1)) {
            urgent++;
        }
        assertEquals(5, urgent, "the most urgent may take every call that is left");
        assertEquals(3, b.overflow(), "each refusal counted as overflow, the last urgent one too");
    }

    @Test
    void shouldEncodeEveryEscalationWhileTheCapIsNotReached() {
        final long t = 1_700_000_000_000L;
        final EncoderBudget b = new EncoderBudget(10, 20, 1, 0.9, () -> t);
        // Half the cap, all of it the least urgent kind, for a minute of event time.
        for (int i = 0; i < 300; i++) {
            assertTrue(b.tryAcquire(0, t + i * 200L, 0), "escalation " + i + " below the cap");
        }
        assertEquals(0, b.overflow());
    }

    @Test
    void shouldServeFirstComeFirstServedWithoutAReserve() {
        final long t = 1_700_000_000_000L;
        final EncoderBudget b = new EncoderBudget(10, 10, 1, 0, () -> t);
        for (int i = 0; i < 10; i++) {
            assertTrue(b.tryAcquire(0, t, 0), "call " + i);
        }
        assertFalse(b.tryAcquire(0, t, 1), "an urgent escalation finds nothing left");
    }

    @Test
    void shouldRefuseNoEscalationBelowTheCapWhateverItsUrgencyWithTheMeasuredReserve() {
        final long t = 1_700_000_000_000L;
        // The stream's default cap: 40 calls a second over three partitions, a burst of twice that.
        final EncoderBudget b = new EncoderBudget(40, 80, 3, EncoderBudget.MEASURED_RESERVE, () -> t + 86_400_000L);
        final java.util.Random random = new java.util.Random(3);
        double at = t;
        for (int i = 0; i < 100_000; i++) {
            // Random arrivals at 85% of the cap, mostly of low urgency as everyday escalations are.
            at += -Math.log(1 - random.nextDouble()) / (0.85 * 40) * 1000;
            b.tryAcquire(i % 3, (long) at, Math.pow(random.nextDouble(), 3));
        }
        assertEquals(0, b.overflow(), "no escalation refused below the cap, so the over-budget alert means over it");
    }
}
