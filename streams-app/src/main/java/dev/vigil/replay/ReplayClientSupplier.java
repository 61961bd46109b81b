package dev.vigil.replay;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** Kafka Streams' default clients, with producers that publish only the replay's range. */
final class ReplayClientSupplier extends DefaultKafkaClientSupplier {
    private final Set<String> outputTopics;
    private final ReplayRange range;
    private final AtomicLong withheld = new AtomicLong();

    ReplayClientSupplier(final Set<String> outputTopics, final ReplayRange range) {
        this.outputTopics = Set.copyOf(outputTopics);
        this.range = range;
    }

    @Override
    public Producer<byte[], byte[]> getProducer(final Map<String, Object> config) {
        return new PublishingWindowProducer(super.getProducer(config), outputTopics, range, withheld);
    }

    /** Output records not published because their time is outside the range. */
    long withheld() {
        return withheld.get();
    }
}
