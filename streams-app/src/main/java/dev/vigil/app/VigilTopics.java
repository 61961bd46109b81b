package dev.vigil.app;

import dev.vigil.config.Topics;
import dev.vigil.config.MonitoringConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the topics of Vigil's data flow through the Admin API, so a fresh cluster (or the
 * embedded broker) is ready before the first record. Topics that exist are left as they are.
 */
public final class VigilTopics {
    private VigilTopics() {
    }

    /**
     * The topics {@code vigil run} reads and writes, kept forever (see the five-argument form).
     *
     * @param rf replication factor of every topic; 0 or less uses the broker's default
     */
    public static List<NewTopic> topics(final String inputTopic, final MonitoringConfig monitoring,
                                        final int partitions, final short rf) {
        return topics(inputTopic, monitoring, partitions, rf, null, DEFAULT_DEAD_LETTER_RETENTION);
    }

    /**
     * How long the input's dead letters are kept by default. They hold raw text (the original
     * record), so they are kept only as long as fixing a producer and re-driving its records
     * takes, not forever like the outputs.
     */
    public static final Duration DEFAULT_DEAD_LETTER_RETENTION = Duration.ofDays(7);

    /**
     * The topics {@code vigil run} reads and writes.
     *
     * <p>Every record carries its event time, and Kafka's time-based retention counts from the
     * record timestamp, not from when it was written. With the broker's default (7 days), history
     * loaded or replayed from further back would be deleted at the next retention check, input
     * and outputs alike, minutes after it was produced. So the topics Vigil creates have an
     * explicit retention: {@code null} keeps records until someone deletes them, which is what a
     * backfill needs; production sets its own policy.
     *
     * <p>The input's dead-letter topic is the exception: it holds raw text, so it has a finite
     * retention counted from when each dead letter was written ({@code LogAppendTime}: a dead
     * letter from a backfill of last year's events is kept as long as one from today's).
     *
     * @param rf                   replication factor of every topic; 0 or less uses the broker's default
     * @param retention            how long records are kept, counted from their event time; null: forever
     * @param deadLetterRetention  how long the input's dead letters are kept from when they were written
     */
    public static List<NewTopic> topics(final String inputTopic, final MonitoringConfig monitoring,
                                        final int partitions, final short rf, final Duration retention,
                                        final Duration deadLetterRetention) {
        final Optional<Integer> count = Optional.of(partitions);
        final Optional<Short> replicationFactor = rf > 0 ? Optional.of(rf) : Optional.empty();
        final Map<String, String> kept = Map.of(TopicConfig.RETENTION_MS_CONFIG,
                retention == null ? "-1" : Long.toString(retention.toMillis()));
        final List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(inputTopic, count, replicationFactor).configs(kept));
        topics.add(new NewTopic(inputTopic + ".dlq", count, replicationFactor).configs(Map.of(
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(deadLetterRetention.toMillis()),
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")));
        topics.add(new NewTopic(monitoring.topic(Topics.MESSAGE_SIGNALS), count, replicationFactor).configs(kept));
        // One summary per conversation is what matters; compaction keeps the latest.
        topics.add(new NewTopic(monitoring.topic(Topics.CONVERSATION_SUMMARIES), count, replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        topics.add(new NewTopic(monitoring.topic(Topics.AGGREGATES), count, replicationFactor).configs(kept));
        topics.add(new NewTopic(monitoring.topic(Topics.ALERTS), count, replicationFactor).configs(kept));
        topics.add(new NewTopic(monitoring.topic(Topics.ALERTS_DLQ), Optional.of(1), replicationFactor).configs(kept));
        return topics;
    }

    /** Creates whichever of {@code topics} do not exist yet; returns the names it created. */
    public static Set<String> ensure(final Properties clientProperties, final List<NewTopic> topics) {
        final Set<String> created = new java.util.TreeSet<>();
        try (Admin admin = Admin.create(clientProperties)) {
            final Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            final List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return created;
            }
            for (final var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(60, TimeUnit.SECONDS);
                    created.add(entry.getKey());
                } catch (final ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            return created;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + clientProperties.get("bootstrap.servers")
                    + " to create topics: " + e.getMessage(), e);
        }
    }
}
