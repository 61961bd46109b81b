package dev.vigil.alert.route;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.SafetyAlert;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's consume loop: reads {@code safety.alerts}, delivers each alert, sends those that
 * could not be delivered to the alerts DLQ with the reason, and only then commits the record's
 * offset. A crash between delivery and commit re-reads the alert (at-least-once); the dedup keys
 * make that second delivery merge into the first incident.
 *
 * <p>Records are handled one at a time, in order, because alert volume is low and ordering makes
 * "committed" mean "everything before it was handled".
 *
 * <p>A record is read by {@link AlertDecoder}. One that is malformed (it can never be read) goes
 * to the DLQ with reason {@value #REASON_UNREADABLE}, counted in
 * {@code vigil_dead_letters_total{reason="alert_deserialization_failed"}}, which pages
 * ({@code VigilAlertsUnreadable}). One that cannot be read because the schema registry is
 * unavailable is neither dead-lettered nor committed: the loop seeks back to it and reads it
 * again after a backoff, for as long as the registry stays away, polling in between so the group
 * keeps it. Meanwhile {@link #waitingForRegistry()} is true, shown by
 * {@code vigil_alert_router_registry_waiting} (1) and the health endpoint, and
 * {@code vigil_alert_router_registry_waits_total} counts the retries.
 */
public final class AlertRouterLoop implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertRouterLoop.class);
    public static final String HEADER_REASON = "vigil.dlq.reason";
    public static final String HEADER_DESTINATION = "vigil.dlq.destination";
    public static final String HEADER_DETAIL = "vigil.dlq.detail";
    public static final String HEADER_ATTEMPTS = "vigil.dlq.attempts";
    public static final String HEADER_SOURCE = "vigil.dlq.source";
    /** DLQ reason of a record that can never be read (its metric reason is {@code alert_} + this). */
    public static final String REASON_UNREADABLE = "deserialization_failed";
    /** 1 while some alert waits for the schema registry. */
    public static final String REGISTRY_WAITING = "vigil.alert.router.registry.waiting";
    /** Reads of an alert put off because the schema registry was unavailable. */
    public static final String REGISTRY_WAITS = "vigil.alert.router.registry.waits";

    private final Map<String, Object> kafkaConfig;
    private final String groupId;
    private final String alertsTopic;
    private final String dlqTopic;
    private final AlertDecoder alerts;
    private final AlertRouter router;
    private final SafetyMetrics metrics;
    private final RetryPolicy registryBackoff;
    private final Counter registryWaits;
    /** Partitions whose next record waits for the registry. */
    private final Set<TopicPartition> waiting = ConcurrentHashMap.newKeySet();
    private final AtomicLong waitingSinceNanos = new AtomicLong();
    private int registryAttempts;
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
        this(kafkaConfig, groupId, alertsTopic, dlqTopic, alerts, router, metrics,
                new RetryPolicy(1, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(10),
                        Duration.ofSeconds(30)));
    }

    /**
     * @param registryBackoff how long to wait before reading again an alert the registry kept
     *                        from being read: {@link RetryPolicy#backoff} of the consecutive
     *                        failures (its other settings are not used)
     */
    public AlertRouterLoop(final Map<String, Object> kafkaConfig, final String groupId, final String alertsTopic,
                           final String dlqTopic, final Deserializer<SafetyAlert> alerts, final AlertRouter router,
                           final SafetyMetrics metrics, final RetryPolicy registryBackoff) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.groupId = groupId;
        this.alertsTopic = alertsTopic;
        this.dlqTopic = dlqTopic;
        this.alerts = new AlertDecoder(alerts);
        this.router = router;
        this.metrics = metrics;
        this.registryBackoff = registryBackoff;
        Gauge.builder(REGISTRY_WAITING, this, loop -> loop.waitingForRegistry() ? 1 : 0)
                .description("1 while an alert cannot be read because the schema registry is unavailable")
                .register(metrics.registry());
        // At zero from the start, so the first unreadable record is an increase Prometheus sees
        // (a counter that appears at 1 has no increase) and VigilAlertsUnreadable fires on it.
        metrics.counter(SafetyMetrics.DEAD_LETTERS, "reason", "alert_" + REASON_UNREADABLE);
        this.registryWaits = Counter.builder(REGISTRY_WAITS)
                .description("Reads of an alert put off because the schema registry was unavailable")
                .register(metrics.registry());
    }

    /**
     * True while an alert cannot be read because the schema registry is unavailable: it waits,
     * uncommitted, and so does every alert after it on its partition.
     */
    public boolean waitingForRegistry() {
        return !waiting.isEmpty();
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
            c.subscribe(List.of(alertsTopic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
                    // Whoever gets them next reads the waiting alert from the committed offset.
                    waiting.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsLost(final Collection<TopicPartition> partitions) {
                    waiting.removeAll(partitions);
                }
            });
            LOG.info("routing {} to {}", alertsTopic,
                    router.destinations().stream().map(Destination::name).toList());
            while (running.get()) {
                final ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
                final Set<TopicPartition> held = new HashSet<>();
                for (final ConsumerRecord<byte[], byte[]> record : records) {
                    if (!running.get()) {
                        return;
                    }
                    final TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (held.contains(partition)) {
                        continue;  // after an alert that waits: read again, in order, after it
                    }
                    if (!handle(record, dlq)) {
                        // Not handled: read it again from here, commit nothing past it.
                        c.seek(partition, record.offset());
                        held.add(partition);
                        continue;
                    }
                    c.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
                    if (waiting.remove(partition)) {
                        registryBack(partition);
                    }
                }
                if (!held.isEmpty()) {
                    waitForRegistry(held);
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

    /**
     * Delivers or dead-letters one record; false when it could not be read because the registry
     * is unavailable, and nothing was done with it.
     */
    private boolean handle(final ConsumerRecord<byte[], byte[]> record, final KafkaProducer<byte[], byte[]> dlq)
            throws InterruptedException, ExecutionException {
        final AlertDecoder.Decoded decoded = alerts.decode(record.topic(), record.headers(), record.value());
        if (decoded instanceof AlertDecoder.RegistryUnavailable unavailable) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopping while the registry was being asked");
            }
            if (waiting.isEmpty()) {
                waitingSinceNanos.set(System.nanoTime());
            }
            waiting.add(new TopicPartition(record.topic(), record.partition()));
            registryWaits.increment();
            LOG.warn("alert at {}/{}/{} waits for the schema registry (not dead-lettered, not committed): {}",
                    record.topic(), record.partition(), record.offset(), unavailable.detail());
            return false;
        }
        if (decoded instanceof AlertDecoder.Malformed malformed) {
            deadLetter(dlq, record, REASON_UNREADABLE, "-", malformed.detail(), 0);
            return true;
        }
        final SafetyAlert alert = ((AlertDecoder.Alert) decoded).alert();
        for (final AlertRouter.Failure f : router.route(alert)) {
            deadLetter(dlq, record, f.result().reason(), f.destination(), f.result().detail(), f.result().attempts());
            metrics.alertDelivery(f.destination(), "dead_lettered");
        }
        return true;
    }

    /** Backs off before the alerts of {@code held} are read again. */
    private void waitForRegistry(final Set<TopicPartition> held) throws InterruptedException {
        registryAttempts++;
        final Duration wait = registryBackoff.backoff(registryAttempts);
        LOG.info("schema registry unavailable for {} s; reading {} again in {} ms",
                (System.nanoTime() - waitingSinceNanos.get()) / 1_000_000_000L, held, wait.toMillis());
        Thread.sleep(wait.toMillis());
    }

    private void registryBack(final TopicPartition partition) {
        if (waiting.isEmpty()) {
            registryAttempts = 0;
            LOG.info("schema registry answers again; {} reads on after {} s", partition,
                    (System.nanoTime() - waitingSinceNanos.get()) / 1_000_000_000L);
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
