package dev.vigil.replay;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a whole topic as it stands (committed records only, up to the ends found when reading
 * starts), without a consumer group: what {@code replay --compare} and the tests look at.
 */
public final class TopicReader {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private TopicReader() {
    }

    /** Every committed record of {@code topic}, partition by partition in offset order. */
    public static <V> List<ConsumerRecord<String, V>> readAll(final Properties client, final String topic,
                                                            final Deserializer<V> values) {
        final List<ConsumerRecord<String, V>> out = new ArrayList<>();
        readBytes(client, topic).forEach(r -> out.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(),
                r.timestamp(), r.timestampType(), r.serializedKeySize(), r.serializedValueSize(), r.key(),
                r.value() == null ? null : values.deserialize(topic, r.value()), r.headers(), r.leaderEpoch())));
        out.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        return out;
    }

    /** Every committed record of {@code topic}, values as stored. */
    public static List<ConsumerRecord<String, byte[]>> readBytes(final Properties client, final String topic) {
        final Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        final List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("no topic " + topic);
            }
            final List<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(tps, TIMEOUT);
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp, TIMEOUT) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        out.add(r);
                    }
                });
            }
        }
        return out;
    }
}
