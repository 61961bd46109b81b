package dev.vigil.cli;

import dev.vigil.metrics.SafetyMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The line {@code vigil run} prints every {@code --status-interval}, so a terminal shows working
 * from stuck at a glance:
 * <pre>
 * 10:21:00 status: 19.8 events/s, lag 0, alerts 3 (coordinated_abuse 1, missed_referral 2), dead letters 0 (last 1m)
 * </pre>
 * Events are the input records handled (classified or dead-lettered), lag is the input topic's
 * consumer lag summed over partitions, and alerts and dead letters are counted over the interval,
 * by type and by reason, from the same counters {@code /metrics} serves.
 */
final class StatusLine implements AutoCloseable {
    /** The time of day as the log lines show it (the local zone). */
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final MeterRegistry registry;
    private final Supplier<OptionalLong> lag;
    private final LongSupplier nanos;
    private final Duration interval;
    private Snapshot last;
    private ScheduledExecutorService timer;

    /** Counters at one moment. */
    record Snapshot(long nanos, double events, Map<String, Double> alerts, Map<String, Double> deadLetters) {
    }

    StatusLine(final MeterRegistry registry, final Supplier<OptionalLong> lag, final LongSupplier nanos,
               final Duration interval) {
        this.registry = registry;
        this.lag = lag;
        this.nanos = nanos;
        this.interval = interval;
        this.last = snapshot();
    }

    /**
     * Prints a line to {@code out} every {@code interval} until closed; nothing at all for a zero
     * interval (the status line switched off).
     */
    static StatusLine start(final MeterRegistry registry, final Supplier<OptionalLong> lag, final Duration interval,
                            final PrintStream out) {
        final StatusLine status = new StatusLine(registry, lag, System::nanoTime, interval);
        if (interval.isZero() || interval.isNegative()) {
            return status;
        }
        status.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "vigil-status-line");
            t.setDaemon(true);
            return t;
        });
        status.timer.scheduleAtFixedRate(() -> {
            out.println(status.next(LocalTime.now()));
            out.flush();
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return status;
    }

    /** The line for the interval since the previous one. */
    synchronized String next(final LocalTime now) {
        final Snapshot current = snapshot();
        final String line = format(last, current, lag.get(), now, interval);
        last = current;
        return line;
    }

    Snapshot snapshot() {
        return new Snapshot(nanos.getAsLong(),
                sum(SafetyMetrics.MESSAGES_CLASSIFIED, null).values().stream().mapToDouble(Double::doubleValue).sum()
                        + sum(SafetyMetrics.DEAD_LETTERS, null).values().stream().mapToDouble(Double::doubleValue).sum(),
                sum(SafetyMetrics.ALERTS, "type"), sum(SafetyMetrics.DEAD_LETTERS, "reason"));
    }

    /** Counter totals by the value of {@code tag} (all under one key when null). */
    private Map<String, Double> sum(final String name, final String tag) {
        final Map<String, Double> totals = new TreeMap<>();
        for (final Counter c : registry.find(name).counters()) {
            totals.merge(tag == null ? "" : String.valueOf(c.getId().getTag(tag)), c.count(), Double::sum);
        }
        return totals;
    }

    static String format(final Snapshot before, final Snapshot now, final OptionalLong lag, final LocalTime time,
                         final Duration interval) {
        final double seconds = Math.max(1e-9, (now.nanos() - before.nanos()) / 1e9);
        return String.format(Locale.ROOT, "%s status: %.1f events/s, lag %s, alerts %s, dead letters %s (last %s)",
                CLOCK.format(time), (now.events() - before.events()) / seconds,
                lag.isPresent() ? Long.toString(lag.getAsLong()) : "unknown",
                byKey(before.alerts(), now.alerts()), byKey(before.deadLetters(), now.deadLetters()),
                RunCommand.human(interval));
    }

    /** {@code 3 (coordinated_abuse 1, missed_referral 2)}: the increase, and its parts that grew. */
    private static String byKey(final Map<String, Double> before, final Map<String, Double> now) {
        final Map<String, Long> grew = new TreeMap<>();
        now.forEach((k, v) -> {
            final long d = Math.round(v - before.getOrDefault(k, 0.0));
            if (d > 0) {
                grew.put(k, d);
            }
        });
        final long total = grew.values().stream().mapToLong(Long::longValue).sum();
        if (grew.isEmpty()) {
            return "0";
        }
        final StringBuilder b = new StringBuilder().append(total).append(" (");
        grew.forEach((k, v) -> b.append(k).append(' ').append(v).append(", "));
        b.setLength(b.length() - 2);
        return b.append(')').toString();
    }

    /**
     * The consumer lag of {@code topic} summed over its partitions, from a Kafka client's metrics
     * ({@code records-lag}, per partition at the latest fetch); empty before the first fetch.
     */
    static OptionalLong lag(final Map<MetricName, ? extends Metric> metrics, final String topic) {
        long sum = 0;
        boolean seen = false;
        for (final Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            final MetricName n = e.getKey();
            if (n.name().equals("records-lag") && n.group().equals("consumer-fetch-manager-metrics")
                    && topic.equals(n.tags().get("topic")) && e.getValue().metricValue() instanceof Double d
                    && Double.isFinite(d)) {
                sum += Math.round(d);
                seen = true;
            }
        }
        return seen ? OptionalLong.of(sum) : OptionalLong.empty();
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
