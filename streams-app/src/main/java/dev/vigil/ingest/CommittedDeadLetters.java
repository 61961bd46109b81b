package dev.vigil.ingest;

import dev.vigil.metrics.SafetyMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Counts dead letters ({@code vigil_dead_letters_total{reason}}) from the dead-letter topic as
 * committed, not where the topology decides them. Under exactly-once a transaction that aborts
 * (a crash, a rebalance, a fenced producer) is processed again, so a counter incremented while
 * processing counts its dead letters twice; a {@code read_committed} reader sees each exactly
 * once. The instances of one deployment share a consumer group, so each dead letter is counted
 * by one of them and the sum over instances is the total; the group's committed offset lets a
 * restarted instance count what arrived while it was down, and a first start begins at the end.
 * A crash between counting and the offset commit can count a few records again, never skip one.
 */
public final class CommittedDeadLetters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommittedDeadLetters.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final SafetyMetrics metrics;
    private final Thread thread;
    private volatile boolean running = true;

    private CommittedDeadLetters(final Map<String, Object> kafkaConfig, final String groupId, final String topic,
                                 final SafetyMetrics metrics) {
        final Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-dead-letter-count");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.metrics = metrics;
        this.thread = new Thread(this::run, "vigil-dead-letter-count");
        this.thread.setDaemon(true);
    }

    /**
     * Counts {@code topic}'s dead letters in a daemon thread, in consumer group
     * {@code <applicationId>-dead-letter-count}. Start it before the topology: a first start
     * joins at the end of the topic, and is positioned there before this returns.
     */
    public static CommittedDeadLetters start(final Map<String, Object> kafkaConfig, final String applicationId,
                                             final String topic, final SafetyMetrics metrics) {
        final CommittedDeadLetters counter = new CommittedDeadLetters(kafkaConfig,
                applicationId + "-dead-letter-count", topic, metrics);
        try {
            counter.awaitAssignment(Duration.ofMinutes(1));
        } catch (final RuntimeException e) {
            counter.consumer.close(Duration.ofSeconds(5));
            throw e;
        }
        counter.thread.start();
        return counter;
    }

    /** The reason code a dead letter carries; a record without one (not written by Vigil) counts as unknown. */
    static String reason(final ConsumerRecord<byte[], byte[]> r) {
        final String reason = DeadLetters.header(r.headers(), DeadLetters.REASON);
        if (reason == null) {
            return "unknown";
        }
        for (final DeadLetterReason known : DeadLetterReason.values()) {
            if (known.code().equals(reason)) {
                return reason;
            }
        }
        return "unknown"; // a label value is never taken from a record as it is
    }

    /**
     * Joins the group and resolves the starting positions before the topology can write: with
     * no committed offset, "latest" is read at that moment, so a dead letter written later is
     * never skipped. Records polled meanwhile are counted.
     */
    private void awaitAssignment(final Duration wait) {
        consumer.subscribe(List.of(topic));
        final long deadline = System.nanoTime() + wait.toNanos();
        while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
            count(consumer.poll(Duration.ofMillis(200)));
        }
        consumer.assignment().forEach(consumer::position);
    }

    private void count(final Iterable<ConsumerRecord<byte[], byte[]>> records) {
        for (final ConsumerRecord<byte[], byte[]> r : records) {
            metrics.deadLetter(reason(r));
        }
    }

    private void run() {
        try {
            while (running) {
                count(consumer.poll(Duration.ofMillis(500)));
            }
        } catch (final WakeupException | InterruptException e) {
            // Closing.
        } catch (final RuntimeException e) {
            LOG.warn("dead letters are no longer counted: {}", e.getClass().getName());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
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
