package dev.vigil.stream;

import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Partitions a {@link Stamped} repartition topic: records by key (the producer's default murmur2
 * of the key bytes), progress records to every partition, so every reading task hears every
 * sender's progress.
 *
 * <p>It also writes the topic's partition count into the record (called before serialisation):
 * Kafka Streams sizes a repartition topic after the source topics of the sub-topology that writes
 * it, so this is the number of sending tasks, which a reader must wait for. Learning it from the
 * records (rather than from configuration) keeps it right when the input topic is repartitioned
 * and in a replay.
 */
public final class ProgressPartitioner<V extends Stamped> implements StreamPartitioner<String, V> {
    @Override
    public Optional<Set<Integer>> partitions(final String topic, final String key, final V value,
                                             final int numPartitions) {
        if (value != null && value.sources == 0) {
            value.sources = numPartitions;
        }
        if (value != null && value.progressOnly) {
            final Set<Integer> all = new HashSet<>(numPartitions * 2);
            for (int p = 0; p < numPartitions; p++) {
                all.add(p);
            }
            return Optional.of(all);
        }
        final byte[] bytes = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(bytes)) % numPartitions));
    }
}
