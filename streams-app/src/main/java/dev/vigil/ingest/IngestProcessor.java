package dev.vigil.ingest;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.SchemaRegistryException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the raw bytes of an input record into a {@link ConversationEvent} and checks it. Valid
 * events leave with the event's own timestamp as record time; everything else leaves as a
 * rejection whose headers name the reason, topic, partition and offset, so the topology can
 * write the original bytes to the dead-letter topic. Nothing is dropped, and a bad record never
 * throws: one bad record must not stop the monitor. The one exception is a schema registry
 * that cannot answer, which says nothing about the record (see {@link #process}).
 *
 * <p>In order: a record larger than any valid event is refused unread; the bytes are decoded
 * (lengths checked before anything is allocated); the event is validated; its time must be
 * within the allowed skew of the record's timestamp; and, with a redelivery store, an event id
 * seen within the horizon is dropped as a redelivery when its content is the same (counted) and
 * dead-lettered when it is not.
 */
public final class IngestProcessor implements FixedKeyProcessor<String, byte[], Ingested> {
    private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);
    /** How long a record waits in place for an unavailable registry before the thread is failed. */
    private static final long REGISTRY_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    /** The state store of event ids seen within the redelivery horizon. */
    public static final String EVENT_IDS_STORE = "ingest-event-ids";
    private final Deserializer<ConversationEvent> deserializer;
    private final EventValidator validator;
    private final SafetyMetrics metrics;
    /** Whether redeliveries are removed here (the topology) or not (tests of decoding and validation). */
    private final boolean removeRedeliveries;
    private FixedKeyProcessorContext<String, Ingested> context;
    private WindowStore<String, Long> eventIds;

    /** Without a redelivery store: every valid event passes (tests of decoding and validation). */
    public IngestProcessor(final Deserializer<ConversationEvent> deserializer, final EventValidator validator,
                           final SafetyMetrics metrics) {
        this(deserializer, validator, metrics, false);
    }

    private IngestProcessor(final Deserializer<ConversationEvent> deserializer, final EventValidator validator,
                            final SafetyMetrics metrics, final boolean removeRedeliveries) {
        this.deserializer = deserializer;
        this.validator = validator;
        this.metrics = metrics;
        this.removeRedeliveries = removeRedeliveries;
    }

    /**
     * Ingest with redeliveries removed: an event id seen within the validator's redelivery horizon
     * of event time is remembered in a windowed store (changelogged, so a restore remembers it too, and expired by
     * segment, so the store stays bounded). Records are partitioned by their key, so this catches
     * every redelivery a producer sends under the same key, which is what a retry or an
     * at-least-once re-send does.
     */
    public static FixedKeyProcessorSupplier<String, byte[], Ingested> withRedeliveries(
            final Deserializer<ConversationEvent> deserializer, final EventValidator validator,
            final SafetyMetrics metrics) {
        final Duration horizon = validator.redeliveryHorizon();
        return new FixedKeyProcessorSupplier<>() {
            @Override
            public FixedKeyProcessor<String, byte[], Ingested> get() {
                return new IngestProcessor(deserializer, validator, metrics, true);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                // Retention covers a redelivery up to one horizon after the first copy (the
                // store drops whole segments, so it keeps somewhat more, never less).
                return Set.of(Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(EVENT_IDS_STORE, horizon.multipliedBy(2), Duration.ofMillis(1), false),
                        Serdes.String(), Serdes.Long()));
            }
        };
    }

    @Override
    public void init(final FixedKeyProcessorContext<String, Ingested> context) {
        this.context = context;
        if (removeRedeliveries) {
            this.eventIds = context.getStateStore(EVENT_IDS_STORE);
        }
    }

    @Override
    public void process(final FixedKeyRecord<String, byte[]> record) {
        final byte[] bytes = record.value();
        if (bytes == null) {
            reject(record, new Rejection(DeadLetterReason.NULL_VALUE, "record has no value"));
            return;
        }
        if (bytes.length > validator.maxRecordBytes()) {
            reject(record, new Rejection(DeadLetterReason.OVERSIZE_RECORD, "record has " + bytes.length
                    + " bytes, no valid event exceeds " + validator.maxRecordBytes()));
            return;
        }
        final ConversationEvent event = read(record, bytes);
        if (event == null) {
            return;
        }
        Rejection rejection = validator.check(event);
        if (rejection == null) {
            rejection = validator.checkTime(event, record.timestamp());
        }
        if (rejection != null) {
            reject(record, rejection);
            return;
        }
        if (eventIds != null && !firstDelivery(record, event)) {
            return;
        }
        // Event time is the event's own timestamp, whatever the producer put on the record, so a
        // replay windows exactly like the live run did.
        context.forward(record.withValue(Ingested.valid(event, bytes)).withTimestamp(event.getTimestamp().toEpochMilli()));
    }

    /**
     * True when this event id is new within the horizon (and remembers it). A copy with the same
     * content is a redelivery: dropped and counted. A different event under a used id is
     * dead-lettered: dropping it as a redelivery could silently lose a disclosure.
     */
    private boolean firstDelivery(final FixedKeyRecord<String, byte[]> record, final ConversationEvent event) {
        final String id = event.getEventId();
        final long at = event.getTimestamp().toEpochMilli();
        final long fingerprint = EventFingerprint.of(event);
        final long horizon = validator.redeliveryHorizon().toMillis();
        boolean used = false;
        try (WindowStoreIterator<Long> seen = eventIds.fetch(id, at - horizon, at + horizon)) {
            while (seen.hasNext()) {
                if (seen.next().value == fingerprint) {
                    metrics.redelivery();
                    return false;
                }
                used = true;
            }
        }
        if (used) {
            reject(record, new Rejection(DeadLetterReason.REUSED_EVENT_ID,
                    "event_id was used within " + validator.redeliveryHorizon() + " by an event with different content"));
            return false;
        }
        eventIds.put(id, fingerprint, at);
        return true;
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
            } catch (final RuntimeException | StackOverflowError | OutOfMemoryError e) {
                // The errors too: the lengths are checked before decoding, but should any record
                // still exhaust the stack or one allocation, rethrowing would make a replaced
                // thread read the same offset again, forever.
                reject(record, new Rejection(DeadLetterReason.UNDESERIALIZABLE, describe(e)));
                return null;
            }
        }
    }

    private void reject(final FixedKeyRecord<String, byte[]> record, final Rejection rejection) {
        final Optional<RecordMetadata> meta = context.recordMetadata();
        // Not counted here: an aborted transaction would count it twice (see CommittedDeadLetters).
        final Headers headers = DeadLetters.fromTopic(record.headers(), rejection.reason(), rejection.error(),
                meta.map(RecordMetadata::topic).orElse("unknown"),
                meta.map(RecordMetadata::partition).orElse(-1),
                meta.map(RecordMetadata::offset).orElse(-1L));
        context.forward(record
                .withValue(Ingested.rejected(rejection, DeadLetters.fitValue(record.value(), headers)))
                .withHeaders(DeadLetters.fitHeaders(headers)));
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
