package dev.vigil.topology;

import dev.vigil.config.MonitoringConfig;
import dev.vigil.privacy.PublishedIds;
import dev.vigil.classify.MessageClassifier;
import dev.vigil.config.Topics;
import dev.vigil.ingest.DeadLetterReason;
import dev.vigil.ingest.DeadLetters;
import dev.vigil.ingest.EventValidator;
import dev.vigil.ingest.Ingested;
import dev.vigil.ingest.IngestProcessor;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.UsePartitionTimeOnInvalidTimestamp;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Vigil's whole topology: raw input bytes, ingestion and validation (bad records to the
 * dead-letter topic with their original bytes), classification into
 * {@code safety.message-signals}, then the monitoring stages of {@link MonitoringTopology}.
 *
 * <p>The input is read as bytes so that a record Vigil cannot read still reaches the
 * dead-letter topic byte for byte instead of stopping the application. Raw text exists only
 * between the source and the {@code classify} processor.
 */
public final class VigilTopology {
    /** Names of the processors, sources and sinks; stable, so state and offsets survive upgrades. */
    public static final String SOURCE = "conversation-events-source";
    public static final String INGEST = "ingest";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String CLASSIFY = "classify";
    public static final String CLASSIFY_DEAD_LETTER_SINK = "classify-dead-letter-sink";
    public static final String SIGNALS_SINK = "message-signals-sink";
    /** Repartition topic for signals of records whose key was not their conversation id. */
    public static final String REKEYED = "message-signals-rekeyed";

    /**
     * What the front of the topology needs besides serdes and metrics.
     *
     * @param inputTopic the conversation-events topic to read
     * @param validator  the rules input records must meet
     * @param monitoring settings of the monitoring stages, including the output topic prefix
     */
    public record Settings(String inputTopic, EventValidator validator, MonitoringConfig monitoring) {
        public static Settings defaults() {
            return new Settings(Topics.CONVERSATION_EVENTS, new EventValidator(), MonitoringConfig.defaults());
        }

        /** The input's dead-letter topic; a replay (output prefix set) keeps its own. */
        public String deadLetterTopic() {
            return monitoring.topic(inputTopic + ".dlq");
        }
    }

    private VigilTopology() {
    }

    /** The complete topology, ready for {@code new KafkaStreams(...)}. */
    public static Topology build(final Settings settings, final MessageClassifier classifier,
                                 final VigilSerdes serdes, final SafetyMetrics metrics) {
        final StreamsBuilder builder = new StreamsBuilder();
        build(builder, settings, classifier, serdes, metrics);
        return builder.build();
    }

    /** Adds the whole data flow to {@code builder}; returns the signals stream. */
    public static KStream<String, MessageSignals> build(final StreamsBuilder builder, final Settings settings,
                                                        final MessageClassifier classifier,
                                                        final VigilSerdes serdes, final SafetyMetrics metrics) {
        final Serde<ConversationEvent> eventSerde = serdes.value(ConversationEvent.class);
        final Serde<MessageSignals> signalSerde = serdes.value(MessageSignals.class);

        // Producers set the record time from the event; a record without a valid timestamp falls
        // back to its partition's time rather than failing, and ingest then sets the event's own.
        final KStream<String, byte[]> raw = builder.stream(settings.inputTopic(),
                Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp())
                        .withName(SOURCE));

        final Map<String, KStream<String, Ingested>> ingested = raw
                .processValues(IngestProcessor.withRedeliveries(eventSerde.deserializer(), settings.validator(), metrics),
                        Named.as(INGEST))
                .split(Named.as("ingest-"))
                .branch((key, value) -> !value.isValid(), Branched.as("rejected"))
                .defaultBranch(Branched.as("accepted"));

        ingested.get("ingest-rejected")
                .mapValues(Ingested::originalValue, Named.as("dead-letter-original-bytes"))
                .to(settings.deadLetterTopic(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName(DEAD_LETTER_SINK));

        final Map<String, KStream<String, Classified>> classified = ingested.get("ingest-accepted")
                .processValues(() -> new ClassifyProcessor(classifier, metrics), Named.as(CLASSIFY))
                .split(Named.as("classify-"))
                .branch((key, c) -> c.signals() == null, Branched.as("failed"))
                .defaultBranch(Branched.as("ok"));
        classified.get("classify-failed")
                .mapValues(Classified::originalValue, Named.as("classify-failure-original-bytes"))
                .to(settings.deadLetterTopic(), Produced.with(Serdes.String(), Serdes.ByteArray())
                        .withName(CLASSIFY_DEAD_LETTER_SINK));

        final Map<String, KStream<String, MessageSignals>> byKey = classified.get("classify-ok")
                .mapValues(Classified::signals, Named.as("message-signals"))
                .split(Named.as("signals-"))
                .branch((key, s) -> s.getConversationId().equals(key), Branched.as("keyed"))
                .defaultBranch(Branched.as("rekey"));

        // Every per-conversation stage assumes key = conversation id. A producer that keyed
        // differently (or not at all) is corrected here, after classification, so no text ever
        // passes through a repartition topic; well-keyed traffic takes no extra hop.
        final KStream<String, MessageSignals> rekeyed = byKey.get("signals-rekey")
                .selectKey((key, s) -> s.getConversationId(), Named.as("key-by-conversation"))
                .repartition(Repartitioned.<String, MessageSignals>as(REKEYED)
                        .withKeySerde(Serdes.String()).withValueSerde(signalSerde));
        final KStream<String, MessageSignals> signals = byKey.get("signals-keyed")
                .merge(rekeyed, Named.as("signals-by-conversation"));

        // Published under keyed pseudonyms and without the SimHash; the stages below read the originals.
        final PublishedIds ids = settings.monitoring().publishedIds();
        signals.map((key, s) -> org.apache.kafka.streams.KeyValue.pair(ids.conversation(key), ids.signals(s)),
                        Named.as("message-signals-published"))
                .to(settings.monitoring().topic(Topics.MESSAGE_SIGNALS),
                Produced.with(Serdes.String(), signalSerde).withName(SIGNALS_SINK));
        MonitoringTopology.build(builder, signals, settings.monitoring(), serdes, metrics);
        return signals;
    }

    /** The classifier's result for one event: its signals, or why it failed plus the original bytes. */
    record Classified(MessageSignals signals, byte[] originalValue) {
    }

    /**
     * Runs the classifier on each event and records what it found; the text stops here. An
     * exception from the classifier sends that one event to the dead-letter topic: rethrowing
     * would make Kafka Streams retry the same record forever and halt its partition.
     */
    static final class ClassifyProcessor implements FixedKeyProcessor<String, Ingested, Classified> {
        private final MessageClassifier classifier;
        private final SafetyMetrics metrics;
        private FixedKeyProcessorContext<String, Classified> context;

        ClassifyProcessor(final MessageClassifier classifier, final SafetyMetrics metrics) {
            this.classifier = classifier;
            this.metrics = metrics;
        }

        @Override
        public void init(final FixedKeyProcessorContext<String, Classified> context) {
            this.context = context;
        }

        @Override
        public void process(final FixedKeyRecord<String, Ingested> record) {
            final long start = System.nanoTime();
            final MessageSignals signals;
            try {
                signals = classifier.classify(record.value().event(),
                        context.recordMetadata().map(RecordMetadata::partition).orElse(0));
            } catch (final RuntimeException | StackOverflowError e) {
                // A stack overflow too (deeply nested input in a pattern): rethrown, it would
                // make a replaced thread classify the same record again, forever.
                final DeadLetterReason reason = DeadLetterReason.CLASSIFIER_ERROR;
                final Optional<RecordMetadata> meta = context.recordMetadata();
                final var headers = DeadLetters.fromTopic(record.headers(), reason, IngestProcessor.describe(e),
                        meta.map(RecordMetadata::topic).orElse("unknown"),
                        meta.map(RecordMetadata::partition).orElse(-1),
                        meta.map(RecordMetadata::offset).orElse(-1L));
                context.forward(record
                        .withValue(new Classified(null, DeadLetters.fitValue(record.value().originalValue(), headers)))
                        .withHeaders(DeadLetters.fitHeaders(headers)));
                return;
            }
            final long nanos = System.nanoTime() - start;
            metrics.messageClassified(signals, nanos, Instant.now());
            context.forward(record.withValue(new Classified(signals, null)));
        }
    }
}
