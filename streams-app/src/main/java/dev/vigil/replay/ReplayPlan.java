package dev.vigil.replay;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where a replay starts and stops on each input partition, found with Kafka's offsets-for-times
 * (Admin {@code listOffsets} with {@link OffsetSpec#forTimestamp}): the start is the first offset
 * whose record time is at or after the first event time read; the stop is the first offset past
 * the last event time read, or the partition's end as it was when the plan was made (records
 * that arrive later are live traffic, not history).
 *
 * @param start first offset to read per partition
 * @param stop  the replay is done with a partition once it has committed this offset
 */
public record ReplayPlan(Map<TopicPartition, Long> start, Map<TopicPartition, Long> stop) {
    private static final long TIMEOUT_S = 60;

    public ReplayPlan {
        start = Collections.unmodifiableMap(new LinkedHashMap<>(start));
        stop = Collections.unmodifiableMap(new LinkedHashMap<>(stop));
    }

    /** Asks the cluster for the offsets of {@code range} on every partition of {@code topic}. */
    public static ReplayPlan compute(final Admin admin, final String topic, final ReplayRange range) {
        try {
            final TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT_S, TimeUnit.SECONDS).get(topic);
            final List<TopicPartition> partitions = description.partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            final Map<TopicPartition, Long> end = offsets(admin, partitions, OffsetSpec.latest());
            final Map<TopicPartition, Long> first = offsets(admin, partitions,
                    OffsetSpec.forTimestamp(range.readFrom().toEpochMilli()));
            // The first record strictly after the last event time read.
            final Map<TopicPartition, Long> past = offsets(admin, partitions,
                    OffsetSpec.forTimestamp(range.readUntil().toEpochMilli() + 1));
            final Map<TopicPartition, Long> start = new LinkedHashMap<>();
            final Map<TopicPartition, Long> stop = new LinkedHashMap<>();
            for (final TopicPartition tp : partitions) {
                final long e = end.get(tp);
                // -1: no record at or after that time, so the partition is read to its end.
                final long s = first.get(tp) < 0 ? e : Math.min(first.get(tp), e);
                final long p = past.get(tp) < 0 ? e : Math.min(past.get(tp), e);
                start.put(tp, s);
                stop.put(tp, Math.max(s, p));
            }
            return new ReplayPlan(start, stop);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while planning the replay", e);
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the offsets of " + topic + ": " + e.getMessage(), e);
        }
    }

    private static Map<TopicPartition, Long> offsets(final Admin admin, final List<TopicPartition> partitions,
                                                     final OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        final Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                admin.listOffsets(request).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        final Map<TopicPartition, Long> out = new LinkedHashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /**
     * Commits the start offsets on the replay's consumer group (its application id), before the
     * application starts, so Kafka Streams begins there instead of at either end.
     */
    public void commitStart(final Admin admin, final String groupId) {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        start.forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
        try {
            admin.alterConsumerGroupOffsets(groupId, offsets).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting the replay's start offsets", e);
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot set the start offsets of group " + groupId + ": " + e.getMessage(), e);
        }
    }

    /** Records between start and stop, over all partitions: the work of the replay. */
    public long records() {
        long n = 0;
        for (final Map.Entry<TopicPartition, Long> e : start.entrySet()) {
            n += stop.get(e.getKey()) - e.getValue();
        }
        return n;
    }
}
