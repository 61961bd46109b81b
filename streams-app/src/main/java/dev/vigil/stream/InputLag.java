package dev.vigil.stream;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import org.apache.kafka.streams.TopologyDescription;

import java.util.HashMap;
import java.util.HashSet;
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
    /** Per application, the source topics of each sub-topology (internal ones with their full name). */
    private static final Map<String, Map<Integer, Set<String>>> SOURCES = new ConcurrentHashMap<>();

    private InputLag() {
    }

    /**
     * Registers a running application: its client's metrics, and its topology, from which each
     * task's source topics are known before the task has read anything.
     */
    public static void register(final String applicationId, final Supplier<Map<MetricName, ? extends Metric>> metrics,
                                final TopologyDescription topology) {
        final Map<Integer, Set<String>> sources = new HashMap<>();
        for (final TopologyDescription.Subtopology sub : topology.subtopologies()) {
            final Set<String> topics = new HashSet<>();
            for (final TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    for (final String topic : source.topicSet()) {
                        // Repartition topics are named in the description without the application id.
                        topics.add(topic.endsWith("-repartition") ? applicationId + "-" + topic : topic);
                    }
                }
            }
            sources.put(sub.id(), Set.copyOf(topics));
        }
        SOURCES.put(applicationId, Map.copyOf(sources));
        APPS.put(applicationId, metrics);
    }

    public static void unregister(final String applicationId) {
        APPS.remove(applicationId);
        SOURCES.remove(applicationId);
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
        return lags(metrics, topics, partition).values().stream().noneMatch(lag -> lag > 0);
    }

    /**
     * Whether a task that has not read a record yet may call its input quiet: only once its
     * consumer has fetched every one of the sub-topology's source partitions for the task and
     * found nothing waiting. Right after a start, before the first fetch, the answer is no:
     * a slow start must not pass for an empty partition (the readers would close windows
     * without it, and its backlog would arrive late). True when nothing is registered.
     */
    public static boolean caughtUpBeforeFirstRecord(final String applicationId, final int subtopology,
                                                    final int partition) {
        final Supplier<Map<MetricName, ? extends Metric>> metrics = APPS.get(applicationId);
        final Map<Integer, Set<String>> sources = SOURCES.get(applicationId);
        if (metrics == null || sources == null) {
            return true;
        }
        final Set<String> topics = sources.getOrDefault(subtopology, Set.of());
        final Map<String, Double> lags = lags(metrics, topics, partition);
        return !topics.isEmpty() && lags.keySet().containsAll(tagged(topics))
                && lags.values().stream().noneMatch(lag -> lag > 0);
    }

    /** The known lag of {@code partition} of each of {@code topics} (keyed as tagged), from the latest fetch. */
    private static Map<String, Double> lags(final Supplier<Map<MetricName, ? extends Metric>> metrics,
                                            final Set<String> topicNames, final int partition) {
        final Set<String> topics = tagged(topicNames);
        final String p = String.valueOf(partition);
        final Map<String, Double> lags = new HashMap<>();
        for (final Map.Entry<MetricName, ? extends Metric> e : metrics.get().entrySet()) {
            final MetricName n = e.getKey();
            if (n.name().equals("records-lag") && n.group().equals(GROUP) && p.equals(n.tags().get("partition"))
                    && topics.contains(n.tags().get("topic"))
                    && e.getValue().metricValue() instanceof Number lag && !Double.isNaN(lag.doubleValue())) {
                lags.merge(n.tags().get("topic"), lag.doubleValue(), Math::max);
            }
        }
        return lags;
    }

    /**
     * Topic names as the consumer's partition metrics tag them: with '.' replaced by '_'. Vigil's
     * topics have dots (safety.message-signals), so comparing plain names never matched.
     */
    private static Set<String> tagged(final Set<String> topics) {
        final Set<String> tagged = new HashSet<>();
        for (final String t : topics) {
            tagged.add(t.replace('.', '_'));
        }
        return tagged;
    }
}
