package dev.vigil.alert.route;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.SafetyAlert;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The router's consume loop: reads {@code safety.alerts}, delivers each alert, sends those that
 * could not be delivered to the alerts DLQ with the reason, and only then commits the record's
 * offset. A crash between delivery and commit re-reads the alert (at-least-once); the dedup keys
 * make that second delivery merge into the first incident.
 *
 * <p>Records are handled one at a time, in order, because alert volume is low and ordering makes
 * "committed" mean "everything before it was handled".
 */
public final class AlertRouterLoop implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertRouterLoop.class);
    public static final String HEADER_REASON = "vigil.dlq.reason";
    public static final String HEADER_DESTINATION = "vigil.dlq.destination";
    public static final String HEADER_DETAIL = "vigil.dlq.detail";
    public static final String HEADER_ATTEMPTS = "vigil.dlq.attempts";
    public static final String HEADER_SOURCE = "vigil.dlq.source";

    private final Map<String, Object> kafkaConfig;
    private final String groupId;
    private final String alertsTopic;
    private final String dlqTopic;
    private final Deserializer<SafetyAlert> alerts;
    private final AlertRouter router;
    private final SafetyMetrics metrics;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean failed = new AtomicBoolean(false);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Thread thread;

    /**
     * @param kafkaConfig client settings shared by the consumer and the DLQ producer
     *                    ({@code bootstrap.servers}, TLS, SASL, ...), passed through untouched
     */
    public AlertRouterLoop(final Map<String, Object> kafkaConfig, final String groupId, final String alertsTopic,
                           final String dlqTopic, final Deserializer<SafetyAlert> alerts, final AlertRouter router,
                           final SafetyMetrics metrics) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.groupId = groupId;
        this.alertsTopic = alertsTopic;
        this.dlqTopic = dlqTopic;
        this.alerts = alerts;
        this.router = router;
        this.metrics = metrics;
    }

    /** True when the loop ended on an error rather than on {@link #close()}. */
    public boolean failed() {
        return failed.get();
    }

    public boolean isRunning() {
        return running.get() && thread != null;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        final Properties consumerProps = new Properties();
        consumerProps.putAll(kafkaConfig);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The topology writes alerts transactionally (exactly_once_v2): never route an aborted one.
        consumerProps.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Retries with backoff may hold one record for minutes; small batches and a long poll
        // interval keep the group from evicting a router that is patiently retrying.
        consumerProps.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5);
        consumerProps.putIfAbsent(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofHours(1).toMillis());
        final Properties producerProps = new Properties();
        producerProps.putAll(kafkaConfig);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> dlq = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            consumer = c;
            c.subscribe(List.of(alertsTopic));
            LOG.info("routing {} to {}", alertsTopic,
                    router.destinations().stream().map(Destination::name).toList());
            while (running.get()) {
                final ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
                for (final ConsumerRecord<byte[], byte[]> record : records) {
                    if (!running.get()) {
                        return;
                    }
                    handle(record, dlq);
                    c.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1)));
                }
            }
        } catch (final WakeupException | InterruptedException | InterruptException e) {
            // Stopping: the record in hand is neither committed nor dead-lettered; it is read again.
            LOG.info("alert router stopping");
        } catch (final ExecutionException e) {
            failed.set(true);
            LOG.error("could not write to {}: stopping without committing ({})", dlqTopic,
                    e.getCause().getClass().getName());
        } catch (final RuntimeException e) {
            // Authorization, lost broker, ...: stop so the orchestrator restarts us; nothing was committed
            // for the record in hand, so it is delivered after the restart.
            failed.set(true);
            LOG.error("alert router stopped: {}", e.getClass().getName());
        } finally {
            running.set(false);
            stopped.countDown();
        }
    }

    private void handle(final ConsumerRecord<byte[], byte[]> record, final KafkaProducer<byte[], byte[]> dlq)
            throws InterruptedException, ExecutionException {
        final SafetyAlert alert;
        try {
            alert = alerts.deserialize(record.topic(), record.headers(), record.value());
        } catch (final RuntimeException e) {
            deadLetter(dlq, record, "deserialization_failed", "-", e.getClass().getSimpleName(), 0);
            return;
        }
        if (alert == null) {
            return;
        }
        for (final AlertRouter.Failure f : router.route(alert)) {
            deadLetter(dlq, record, f.result().reason(), f.destination(), f.result().detail(), f.result().attempts());
            metrics.alertDelivery(f.destination(), "dead_lettered");
        }
    }

    private void deadLetter(final KafkaProducer<byte[], byte[]> dlq, final ConsumerRecord<byte[], byte[]> record,
                            final String reason, final String destination, final String detail, final int attempts)
            throws InterruptedException, ExecutionException {
        final ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(dlqTopic, null, record.timestamp(),
                record.key(), record.value());
        final Headers h = out.headers();
        h.add(HEADER_REASON, utf8(reason));
        h.add(HEADER_DESTINATION, utf8(destination));
        h.add(HEADER_DETAIL, utf8(detail == null ? "" : detail));
        h.add(HEADER_ATTEMPTS, utf8(Integer.toString(attempts)));
        h.add(HEADER_SOURCE, utf8(record.topic() + "/" + record.partition() + "/" + record.offset()));
        // Wait for the broker: the offset must not be committed before the DLQ has the alert.
        dlq.send(out).get();
        metrics.deadLetter("alert_" + reason);
        LOG.warn("alert at {}/{}/{} dead-lettered for {}: {}", record.topic(), record.partition(), record.offset(),
                destination, reason);
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Stops the loop, abandoning (not committing) an alert still being retried, and waits for it. */
    @Override
    public void close() {
        running.set(false);
        final KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        final Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                stopped.await();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
