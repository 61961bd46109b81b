package dev.vigil.http;

import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Feeds {@link RecentAlerts} and {@link CurrentAggregates} from the alerts and aggregates topics,
 * so the read-only HTTP views work without touching the topology. It reads with
 * {@code read_committed} (only what the exactly-once topology committed), without a consumer
 * group (every instance shows the whole picture, nothing is committed), starting
 * {@code lookback} before now.
 */
public final class ViewFeeder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ViewFeeder.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String alertsTopic;
    private final String aggregatesTopic;
    private final Deserializer<SafetyAlert> alerts;
    private final Deserializer<WindowAggregate> aggregates;
    private final RecentAlerts recentAlerts;
    private final CurrentAggregates currentAggregates;
    private final Duration lookback;
    private final Thread thread;
    private volatile boolean running = true;

    private ViewFeeder(final Map<String, Object> kafkaConfig, final String alertsTopic, final String aggregatesTopic,
                       final VigilSerdes serdes, final RecentAlerts recentAlerts,
                       final CurrentAggregates currentAggregates, final Duration lookback) {
        this.lookback = lookback;
        final Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-http-views");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.alertsTopic = alertsTopic;
        this.aggregatesTopic = aggregatesTopic;
        this.alerts = serdes.value(SafetyAlert.class).deserializer();
        this.aggregates = serdes.value(WindowAggregate.class).deserializer();
        this.recentAlerts = recentAlerts;
        this.currentAggregates = currentAggregates;
        this.thread = new Thread(this::run, "vigil-http-views");
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading in a daemon thread.
     *
     * @param kafkaConfig client settings ({@code bootstrap.servers}, TLS, SASL, ...); any group id is ignored
     * @param lookback    how far back to start (alerts and windows older than this are not shown)
     */
    public static ViewFeeder start(final Map<String, Object> kafkaConfig, final String alertsTopic,
                                   final String aggregatesTopic, final VigilSerdes serdes,
                                   final RecentAlerts recentAlerts, final CurrentAggregates currentAggregates,
                                   final Duration lookback) {
        final ViewFeeder feeder = new ViewFeeder(kafkaConfig, alertsTopic, aggregatesTopic, serdes, recentAlerts,
                currentAggregates, lookback);
        feeder.thread.start();
        return feeder;
    }

    private void run() {
        try {
            assignFrom(Clock.systemUTC().millis() - lookback.toMillis());
            while (running) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        if (r.value() == null) {
                            continue;
                        }
                        if (r.topic().equals(alertsTopic)) {
                            recentAlerts.record(alerts.deserialize(r.topic(), r.headers(), r.value()));
                        } else {
                            currentAggregates.record(aggregates.deserialize(r.topic(), r.headers(), r.value()));
                        }
                    } catch (final RuntimeException e) {
                        // A view is best effort: skip a record it cannot read (the class only; no data).
                        LOG.warn("skipping unreadable record on {}: {}", r.topic(), e.getClass().getSimpleName());
                    }
                }
            }
        } catch (final WakeupException | InterruptException e) {
            // Closing.
        } catch (final RuntimeException e) {
            LOG.warn("HTTP views stopped updating: {}", e.getClass().getName());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Assigns every partition of both topics, each positioned at the first record at or after {@code fromMillis}. */
    private void assignFrom(final long fromMillis) {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final String topic : List.of(alertsTopic, aggregatesTopic)) {
            final List<PartitionInfo> infos = waitForTopic(topic);
            for (final PartitionInfo p : infos) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        consumer.assign(partitions);
        final Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(tp -> times.put(tp, fromMillis));
        final Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
        final List<TopicPartition> toEnd = new ArrayList<>();
        for (final TopicPartition tp : partitions) {
            final OffsetAndTimestamp o = offsets.get(tp);
            if (o == null) {
                toEnd.add(tp);
            } else {
                consumer.seek(tp, o.offset());
            }
        }
        if (!toEnd.isEmpty()) {
            // seekToEnd of an empty list would move every assigned partition to its end.
            consumer.seekToEnd(toEnd);
        }
    }

    /** The topology creates its output topics when it starts; wait for them rather than fail. */
    private List<PartitionInfo> waitForTopic(final String topic) {
        while (running) {
            final List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos;
            }
            try {
                Thread.sleep(1000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeupException();
            }
        }
        throw new WakeupException();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
