package dev.vigil.replay;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a Kafka Streams application has committed, read through the Admin API: how the replay
 * knows how far it has come and when it has finished, without touching the application.
 */
public final class GroupOffsets {
    private static final long TIMEOUT_S = 30;

    private final Admin admin;
    private final String groupId;

    public GroupOffsets(final Admin admin, final String groupId) {
        this.admin = admin;
        this.groupId = groupId;
    }

    /** Offsets the group has committed (absent: nothing committed on that partition yet). */
    public Map<TopicPartition, Long> committed() {
        final Map<TopicPartition, OffsetAndMetadata> raw = get(admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata());
        final Map<TopicPartition, Long> out = new HashMap<>();
        raw.forEach((tp, o) -> {
            if (o != null) {
                out.put(tp, o.offset());
            }
        });
        return out;
    }

    /** The application's repartition topics ({@code <application.id>-...-repartition}). */
    public Set<String> repartitionTopics() {
        return internalTopics(admin, groupId, Set.of("-repartition"));
    }

    /** The application's internal topics: repartition and changelog. */
    public static Set<String> internalTopics(final Admin admin, final String applicationId,
                                             final Set<String> suffixes) {
        final Set<String> names = get(admin.listTopics().names());
        final Set<String> out = new TreeSet<>();
        for (final String name : names) {
            if (name.startsWith(applicationId + "-") && suffixes.stream().anyMatch(name::endsWith)) {
                out.add(name);
            }
        }
        return out;
    }

    /** Last stable offsets of every partition of {@code topics}: what a committed read can reach. */
    public Map<TopicPartition, Long> ends(final Set<String> topics) {
        if (topics.isEmpty()) {
            return Map.of();
        }
        final Map<String, TopicDescription> descriptions = get(admin.describeTopics(topics).allTopicNames());
        final Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        descriptions.values().forEach(d -> d.partitions()
                .forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = get(admin.listOffsets(request,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all());
        final Map<TopicPartition, Long> out = new LinkedHashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** Whether the group has committed at least {@code targets} on every one of those partitions. */
    public static boolean reached(final Map<TopicPartition, Long> committed, final Map<TopicPartition, Long> targets,
                                  final Map<TopicPartition, Long> starts) {
        for (final Map.Entry<TopicPartition, Long> t : targets.entrySet()) {
            final long start = starts == null ? 0 : starts.getOrDefault(t.getKey(), 0L);
            if (t.getValue() <= start) {
                continue;
            }
            final Long c = committed.get(t.getKey());
            if (c == null || c < t.getValue()) {
                return false;
            }
        }
        return true;
    }

    static <T> T get(final org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while talking to Kafka", e);
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka admin request failed: " + e.getMessage(), e);
        }
    }
}
