package dev.vigil.replay;

import dev.vigil.config.MonitoringConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayRangeTest {
    private static final Instant FROM = Instant.parse("2026-03-02T06:00:00Z");
    private static final Instant TO = Instant.parse("2026-03-02T12:00:00Z");

    @Test
    void shouldPublishOnlyOutputsTimedInsideTheRangeBothEndsIncluded() {
        final ReplayRange r = new ReplayRange(FROM, TO, Duration.ofHours(1), Duration.ofHours(2));
        assertTrue(r.publishes(FROM.toEpochMilli()));
        assertTrue(r.publishes(TO.toEpochMilli()));
        assertFalse(r.publishes(TO.toEpochMilli() + 1));
        assertFalse(r.publishes(FROM.toEpochMilli() - 1), "warm-up results are not published");
        assertEquals(Instant.parse("2026-03-02T05:00:00Z"), r.readFrom());
        assertEquals(Instant.parse("2026-03-02T14:00:00Z"), r.readUntil());
    }

    @Test
    void shouldLookAheadFarEnoughToCloseTheLongestWindowAndEndConversations() {
        // Defaults: 1 h windows (aggregates and abuse), 2 min grace, 30 min inactivity gap.
        assertEquals(Duration.ofMinutes(92), ReplayRange.defaultLookahead(MonitoringConfig.defaults()));
    }

    @Test
    void shouldRefuseARangeThatEndsBeforeItStarts() {
        assertThrows(IllegalArgumentException.class, () -> new ReplayRange(TO, FROM, Duration.ZERO, Duration.ZERO));
    }

    @Test
    void shouldShowRecordsRateAndTimeLeftOnTheProgressLine() {
        final Progress p = new Progress(3_000, 12_000, Duration.ofSeconds(10));
        assertEquals("replay: 3,000 / 12,000 records (25.0%), 300 rec/s, 0:30 left", p.line());
        assertEquals("replay: 0 / 10 records (0.0%), 0 rec/s, ? left", new Progress(0, 10, Duration.ZERO).line());
    }
}
