package dev.vigil.bench;

import dev.vigil.config.Topics;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.ConfluentAvroSerde;
import dev.vigil.serde.SchemaRegistryClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code read_committed} consumer of Vigil's signals and alerts, as a downstream reader sees
 * them: it notes when each record becomes visible (wall clock, right after the poll that
 * returned it) and how long after its event time that is. Started before Vigil, at the topics'
 * current ends, so it sees exactly one run's output.
 */
final class OutputWatcher implements AutoCloseable {
    /**
     * One visible output: its event time (signal) or raising event's time (alert), when it became
     * visible, and for a signal the input event it is for (null for an alert).
     */
    record Seen(long eventTimeMs, long visibleMs, String eventId) {
        long latencyMs() {
            return visibleMs - eventTimeMs;
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<MessageSignals> signalReader;
    private final Deserializer<SafetyAlert> alertReader;
    private final Deserializer<WindowAggregate> aggregateReader;
    private final List<WindowAggregate> aggregates = new ArrayList<>();
    private final List<Seen> signals = new ArrayList<>();
    private final List<Seen> referralAlerts = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    OutputWatcher(final String bootstrap, final SchemaRegistryClient registry) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        signalReader = new ConfluentAvroSerde<>(registry, MessageSignals.class).deserializer();
        alertReader = new ConfluentAvroSerde<>(registry, SafetyAlert.class).deserializer();
        aggregateReader = new ConfluentAvroSerde<>(registry, WindowAggregate.class).deserializer();
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final String topic : List.of(Topics.MESSAGE_SIGNALS, Topics.ALERTS, Topics.AGGREGATES)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        ends.forEach(consumer::seek);
        thread = new Thread(this::poll, "bench-output-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        while (!stop.get()) {
            final var records = consumer.poll(Duration.ofMillis(50));
            final long now = System.currentTimeMillis();
            synchronized (this) {
                for (final ConsumerRecord<String, byte[]> r : records) {
                    if (r.value() == null) {
                        continue;
                    }
                    if (r.topic().equals(Topics.MESSAGE_SIGNALS)) {
                        final MessageSignals s = signalReader.deserialize(r.topic(), r.value());
                        signals.add(new Seen(s.getEventTime().toEpochMilli(), now, s.getEventId()));
                    } else if (r.topic().equals(Topics.AGGREGATES)) {
                        aggregates.add(aggregateReader.deserialize(r.topic(), r.value()));
                    } else {
                        final SafetyAlert a = alertReader.deserialize(r.topic(), r.value());
                        // Only alerts raised by an assistant reply: one raised because a conversation
                        // ended (inactivity gap) has no reply whose produce time to measure from.
                        final boolean byReply = !"conversation_ended".equals(a.getEvidence().get("reply_turn"));
                        if ((a.getType() == AlertType.MISSED_REFERRAL || a.getType() == AlertType.PARTIAL_REFERRAL)
                                && byReply) {
                            referralAlerts.add(new Seen(a.getRaisedAt().toEpochMilli(), now, null));
                        }
                    }
                }
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }

    synchronized int signalCount() {
        return signals.size();
    }

    synchronized List<Seen> signals() {
        return List.copyOf(signals);
    }

    /** How many signals each event id got: the soak checks every sent event has exactly one. */
    synchronized Map<String, Integer> signalsPerEvent() {
        final Map<String, Integer> perEvent = new java.util.HashMap<>();
        for (final Seen s : signals) {
            perEvent.merge(s.eventId(), 1, Integer::sum);
        }
        return perEvent;
    }

    synchronized List<WindowAggregate> aggregates() {
        return List.copyOf(aggregates);
    }

    synchronized List<Seen> referralAlerts() {
        return List.copyOf(referralAlerts);
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(10_000);
    }
}
