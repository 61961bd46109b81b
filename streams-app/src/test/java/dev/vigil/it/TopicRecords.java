package dev.vigil.it;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads whole topics back from the broker, the way a downstream consumer would (read_committed by
 * default), and waits for Vigil to be done with its input.
 */
public final class TopicRecords {
    private TopicRecords() {
    }

    /** Every record of {@code topic} from the beginning to its current end. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(final String bootstrap, final String topic, final boolean committedOnly) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        final List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> tps = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            // read_committed: the end is the last stable offset, so an open transaction ends the read early
            // rather than blocking it; the callers wait for quiet before reading.
            final Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** A record as comparable text: partition, timestamp, key and value bytes. */
    public static String fingerprint(final ConsumerRecord<byte[], byte[]> r) {
        return r.partition() + "|" + r.timestamp() + "|" + hex(r.key()) + "|" + hex(r.value());
    }

    /** Multiset of fingerprints (fingerprint to count), sorted so a difference prints readably. */
    public static Map<String, Long> multiset(final List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().collect(Collectors.groupingBy(TopicRecords::fingerprint, TreeMap::new, Collectors.counting()));
    }

    /**
     * Readable difference of two record lists: for every fingerprint whose count differs, its
     * partition, timestamp and key as text, with the count on each side (values as their length).
     */
    public static List<String> difference(final List<ConsumerRecord<byte[], byte[]>> expected,
                                   final List<ConsumerRecord<byte[], byte[]>> actual) {
        final Map<String, Long> a = multiset(expected);
        final Map<String, Long> b = multiset(actual);
        final Map<String, ConsumerRecord<byte[], byte[]>> any = new TreeMap<>();
        expected.forEach(r -> any.put(fingerprint(r), r));
        actual.forEach(r -> any.put(fingerprint(r), r));
        final List<String> out = new ArrayList<>();
        for (final var e : any.entrySet()) {
            final long x = a.getOrDefault(e.getKey(), 0L);
            final long y = b.getOrDefault(e.getKey(), 0L);
            if (x != y) {
                final ConsumerRecord<byte[], byte[]> r = e.getValue();
                out.add("p" + r.partition() + " t" + r.timestamp() + " key=" + (r.key() == null ? null
                        : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)) + " value#" + e.getKey().hashCode()
                        + " uninterrupted=" + x + " restarted=" + y);
            }
        }
        return out;
    }

    /** Per key, the values in the order they were written to that key's partition. */
    public static Map<String, List<String>> byKey(final List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().collect(Collectors.groupingBy(r -> hex(r.key()), TreeMap::new,
                Collectors.mapping(r -> r.timestamp() + "|" + hex(r.value()), Collectors.toList())));
    }

    public static <T> List<T> values(final List<ConsumerRecord<byte[], byte[]>> records, final Function<byte[], T> decode) {
        return records.stream().map(r -> decode.apply(r.value())).toList();
    }

    /** Waits until the consumer group has committed every input partition up to its end. */
    public static void awaitConsumed(final String bootstrap, final String groupId, final String topic, final Duration timeout)
            throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            final List<TopicPartition> tps = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            final Map<TopicPartition, OffsetSpec> latest = tps.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
                final Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
                if (tps.stream().allMatch(tp -> committed.get(tp) != null && committed.get(tp).offset() >= ends.get(tp).offset())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("group " + groupId + " did not consume " + topic + " to its end: committed "
                            + committed + ", ends " + ends);
                }
                Thread.sleep(250);
            }
        }
    }

    /**
     * Reads {@code topics} (read_committed) again and again until two reads {@code quiet} apart
     * see the same number of records: the downstream stages have finished.
     */
    public static Map<String, List<ConsumerRecord<byte[], byte[]>>> readWhenQuiet(final String bootstrap, final List<String> topics,
                                                                           final Duration quiet, final Duration timeout)
            throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, List<ConsumerRecord<byte[], byte[]>>> last = read(bootstrap, topics);
        while (true) {
            Thread.sleep(quiet.toMillis());
            final Map<String, List<ConsumerRecord<byte[], byte[]>>> now = read(bootstrap, topics);
            if (sizes(now).equals(sizes(last))) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("outputs kept changing: " + sizes(now));
            }
            last = now;
        }
    }

    public static Map<String, Integer> sizes(final Map<String, List<ConsumerRecord<byte[], byte[]>>> byTopic) {
        return byTopic.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size(), (a, b) -> a, TreeMap::new));
    }

    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> read(final String bootstrap, final List<String> topics) {
        final Map<String, List<ConsumerRecord<byte[], byte[]>>> out = new TreeMap<>();
        for (final String t : topics) {
            out.put(t, readAll(bootstrap, t, true));
        }
        return out;
    }

    private static String hex(final byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }
}
