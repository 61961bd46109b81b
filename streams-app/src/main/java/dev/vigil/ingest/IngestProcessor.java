package dev.vigil.ingest;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.SchemaRegistryException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Reads the raw bytes of an input record into a {@link ConversationEvent} and checks it. Valid
 * events leave with the event's own timestamp as record time; everything else leaves as a
 * rejection whose headers name the reason, topic, partition and offset, so the topology can
 * write the original bytes to the dead-letter topic. Nothing is dropped, and a bad record never
 * throws: one bad record must not stop the monitor. The one exception is a schema registry
 * that cannot answer, which says nothing about the record (see {@link #process}).
 */
public final class IngestProcessor implements FixedKeyProcessor<String, byte[], Ingested> {
    private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);
    /** How long a record waits in place for an unavailable registry before the thread is failed. */
    private static final long REGISTRY_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    private final Deserializer<ConversationEvent> deserializer;
    private final EventValidator validator;
    private final SafetyMetrics metrics;
    private FixedKeyProcessorContext<String, Ingested> context;

    public IngestProcessor(final Deserializer<ConversationEvent> deserializer, final EventValidator validator,
                           final SafetyMetrics metrics) {
        this.deserializer = deserializer;
        this.validator = validator;
        this.metrics = metrics;
    }

    @Override
    public void init(final FixedKeyProcessorContext<String, Ingested> context) {
        this.context = context;
    }

    @Override
    public void process(final FixedKeyRecord<String, byte[]> record) {
        final byte[] bytes = record.value();
        if (bytes == null) {
            reject(record, new Rejection(DeadLetterReason.NULL_VALUE, "record has no value"));
            return;
        }
        final ConversationEvent event = read(record, bytes);
        if (event == null) {
            return;
        }
        final Rejection rejection = validator.check(event);
        if (rejection != null) {
            reject(record, rejection);
            return;
        }
        // Event time is the event's own timestamp, whatever the producer put on the record, so a
        // replay windows exactly like the live run did.
        context.forward(record.withValue(Ingested.valid(event, bytes)).withTimestamp(event.getTimestamp().toEpochMilli()));
    }

    /** The event in {@code bytes}, or null when the record was rejected (dead-lettered) instead. */
    private ConversationEvent read(final FixedKeyRecord<String, byte[]> record, final byte[] bytes) {
        final long waitUntil = System.nanoTime() + REGISTRY_WAIT_NANOS;
        while (true) {
            try {
                return deserializer.deserialize(topic(), record.headers(), bytes);
            } catch (final SchemaRegistryException e) {
                if (!e.registryUnavailable()) {
                    reject(record, new Rejection(DeadLetterReason.UNDESERIALIZABLE, describe(e)));
                    return null;
                }
                // Not this record's fault: the registry is down (or refuses us) and every record
                // with a schema id not cached yet would fail alike; dead-lettering would lose good
                // data. Wait here for the registry (each attempt already retries with backoff).
                // A short outage costs nothing else. If the wait outlasts the transaction timeout
                // (10 s under exactly-once, aborted by the broker within another 10 s), Streams
                // finds its producer fenced once the record goes through, rejoins the group and
                // processes again from the last commit: nothing lost or doubled, but a rebalance
                // (measured 43 s, the old member's session timeout). Past REGISTRY_WAIT the stream
                // thread fails and VigilApp replaces it, with the same effect, well before the
                // consumer's max.poll.interval.ms (5 min by default). Health and metrics show the
                // outage meanwhile.
                //
                // Tried and rejected: failing at once (a thread replacement, hence a 40 s pause,
                // for every outage however short), and throwing TaskCorruptedException to
                // re-initialise only the task: on Kafka 4.1.2 the revived task never ran again.
                if (System.nanoTime() > waitUntil) {
                    LOG.warn("schema registry still unavailable; failing the stream thread so record {}/{} is read "
                            + "again: {}", topic(), offset(), e.getMessage());
                    throw e;
                }
                LOG.warn("schema registry unavailable; record {}/{} waits for it (not dead-lettered): {}", topic(),
                        offset(), e.getMessage());
                try {
                    Thread.sleep(1_000);
                } catch (final InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            } catch (final RuntimeException e) {
                reject(record, new Rejection(DeadLetterReason.UNDESERIALIZABLE, describe(e)));
                return null;
            }
        }
    }

    private void reject(final FixedKeyRecord<String, byte[]> record, final Rejection rejection) {
        final Optional<RecordMetadata> meta = context.recordMetadata();
        metrics.deadLetter(rejection.reason().code());
        context.forward(record
                .withValue(Ingested.rejected(rejection, record.value()))
                .withHeaders(DeadLetters.fromTopic(record.headers(), rejection.reason(), rejection.error(),
                        meta.map(RecordMetadata::topic).orElse("unknown"),
                        meta.map(RecordMetadata::partition).orElse(-1),
                        meta.map(RecordMetadata::offset).orElse(-1L))));
    }

    private long offset() {
        return context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    }

    private String topic() {
        return context.recordMetadata().map(RecordMetadata::topic).orElse("");
    }

    /**
     * Our own message and the exception types only: Avro's deeper messages can quote parts of
     * the bytes, and the error header must never carry text.
     */
    public static String describe(final Throwable e) {
        final StringBuilder sb = new StringBuilder(e.getClass().getSimpleName());
        if (e.getMessage() != null && e instanceof org.apache.kafka.common.errors.SerializationException) {
            sb.append(": ").append(e.getMessage());
        }
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < 3; depth++, cause = cause.getCause()) {
            sb.append(" <- ").append(cause.getClass().getSimpleName());
        }
        return sb.toString();
    }
}
