package dev.vigil.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatsTest {
    @Test
    void shouldReportMedianMinAndMaxOfRepeats() {
        final Stats.Spread s = Stats.spread(List.of(30.0, 10.0, 20.0, 50.0));
        assertEquals(25.0, s.median());
        assertEquals(10.0, s.min());
        assertEquals(50.0, s.max());
    }

    @Test
    void shouldTakeNearestRankPercentiles() {
        final List<Long> samples = List.of(5L, 1L, 4L, 2L, 3L, 6L, 7L, 8L, 9L, 100L);
        assertEquals(5.0, Stats.percentile(samples, 50));
        assertEquals(100.0, Stats.percentile(samples, 99));
        assertEquals(100.0, Stats.percentile(samples, 100));
    }

    @Test
    void shouldFitTheSlopeOfALine() {
        assertEquals(2.0, Stats.slope(new double[] {0, 1, 2, 3}, new double[] {1, 3, 5, 7}), 1e-9);
    }
}
