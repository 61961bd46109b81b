package dev.vigil.topology;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Whether a task's input partitions are caught up, from its consumer's {@code records-lag} (the
 * lag seen at the latest fetch). {@link ProgressStamper} reports a quiet task as idle only when
 * its input is caught up: quiet because there is nothing to read, not because the broker cannot
 * be reached (an outage in the middle of a catch-up must not let windows run ahead of it).
 *
 * <p>Kafka Streams gives processors no access to consumer lag, so each running application
 * registers its metrics here under its application id.
 */
public final class InputLag {
    private static final String GROUP = "consumer-fetch-manager-metrics";
    private static final Map<String, Supplier<Map<MetricName, ? extends Metric>>> APPS = new ConcurrentHashMap<>();

    private InputLag() {
    }

    public static void register(final String applicationId, final Supplier<Map<MetricName, ? extends Metric>> metrics) {
        APPS.put(applicationId, metrics);
    }

    public static void unregister(final String applicationId) {
        APPS.remove(applicationId);
    }

    /**
     * False if the application's consumer last saw records waiting in one of {@code topics} at
     * {@code partition}; true otherwise, including when nothing is known (no registered metrics,
     * as under TopologyTestDriver, or no fetch of that partition yet).
     */
    public static boolean caughtUp(final String applicationId, final Set<String> topics, final int partition) {
        final Supplier<Map<MetricName, ? extends Metric>> metrics = APPS.get(applicationId);
        if (metrics == null || topics.isEmpty()) {
            return true;
        }
        final String p = String.valueOf(partition);
        for (final Map.Entry<MetricName, ? extends Metric> e : metrics.get().entrySet()) {
            final MetricName n = e.getKey();
            if (n.name().equals("records-lag") && n.group().equals(GROUP)
                    && p.equals(n.tags().get("partition")) && topics.contains(n.tags().get("topic"))) {
                final Object v = e.getValue().metricValue();
                if (v instanceof Number lag && lag.doubleValue() > 0) {
                    return false;
                }
            }
        }
        return true;
    }
}
