package dev.vigil.cli;

import dev.vigil.metrics.SafetyMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status line of {@code vigil run}: what it says, and that it comes, or not, on time. */
class StatusLineTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong nanos = new AtomicLong();

    @Test
    void shouldSayEventsPerSecondLagAlertsByTypeAndDeadLettersOfTheLastInterval() {
        registry.counter(SafetyMetrics.MESSAGES_CLASSIFIED, "role", "human").increment(500);
        registry.counter(SafetyMetrics.ALERTS, "type", "missed_referral", "severity", "critical").increment(4);
        final StatusLine status = new StatusLine(registry, () -> OptionalLong.of(12), nanos::get, Duration.ofMinutes(1));

        nanos.addAndGet(Duration.ofMinutes(1).toNanos());
        registry.counter(SafetyMetrics.MESSAGES_CLASSIFIED, "role", "human").increment(600);
        registry.counter(SafetyMetrics.MESSAGES_CLASSIFIED, "role", "assistant").increment(588);
        registry.counter(SafetyMetrics.DEAD_LETTERS, "reason", "missing-field").increment(2);
        registry.counter(SafetyMetrics.ALERTS, "type", "missed_referral", "severity", "critical").increment(2);
        registry.counter(SafetyMetrics.ALERTS, "type", "coordinated_abuse", "severity", "warning").increment();
        assertEquals("10:21:00 status: 19.8 events/s, lag 12, alerts 3 (coordinated_abuse 1, missed_referral 2), "
                + "dead letters 2 (missing-field 2) (last 1m)", status.next(LocalTime.of(10, 21, 0, 5_000)));

        nanos.addAndGet(Duration.ofMinutes(1).toNanos());
        assertEquals("10:22:00 status: 0.0 events/s, lag 12, alerts 0, dead letters 0 (last 1m)",
                status.next(LocalTime.of(10, 22)), "a quiet minute says so");
    }

    @Test
    void shouldSayWhenTheLagIsNotKnownYet() {
        final StatusLine status = new StatusLine(registry, OptionalLong::empty, nanos::get, Duration.ofSeconds(30));
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        assertTrue(status.next(LocalTime.NOON).contains("lag unknown"));
    }

    @Test
    void shouldSumTheInputTopicsLagOverItsPartitions() {
        assertEquals(OptionalLong.of(7), StatusLine.lag(Map.of(
                lagOf("conversation-events", 0), metric(5.0),
                lagOf("conversation-events", 1), metric(2.0),
                lagOf("conversation-events", 2), metric(Double.NaN),
                lagOf("vigil-conversation-state-changelog", 0), metric(100.0)), "conversation-events"));
        assertEquals(OptionalLong.empty(), StatusLine.lag(Map.of(), "conversation-events"));
    }

    @Test
    void shouldPrintEveryIntervalAndNeverWhenOff() throws Exception {
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        try (StatusLine off = StatusLine.start(registry, OptionalLong::empty, Duration.ZERO, out)) {
            Thread.sleep(300);
        }
        assertEquals("", printed.toString(StandardCharsets.UTF_8), "--status-interval 0 prints nothing");
        try (StatusLine on = StatusLine.start(registry, OptionalLong::empty, Duration.ofMillis(100), out)) {
            Thread.sleep(550);
        }
        final long lines = printed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" status: ")).count();
        assertTrue(lines >= 3 && lines <= 6, "about one line every 100 ms: " + lines);
    }

    private static MetricName lagOf(final String topic, final int partition) {
        return new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
                Map.of("client-id", "vigil-StreamThread-1-consumer", "topic", topic, "partition", "" + partition));
    }

    private static Metric metric(final double value) {
        return new Metric() {
            @Override
            public MetricName metricName() {
                return null;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        };
    }
}
