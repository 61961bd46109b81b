package dev.vigil.topology;

import dev.vigil.testing.TestStateDir;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.privacy.PublishedIds;
import dev.vigil.config.Topics;
import dev.vigil.ingest.DeadLetters;
import dev.vigil.ingest.EventValidator;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.serde.InMemorySchemaRegistry;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.testing.BadRecords;
import dev.vigil.testing.Events;
import dev.vigil.testing.KeywordTestClassifier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VigilTopologyTest {
    private static final String REGISTRY = "vigil-topology-test";
    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
    private static final int MAX_TEXT = 200;

    private InMemorySchemaRegistry registry;
    private SafetyMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> input;
    private TestOutputTopic<String, MessageSignals> signals;
    private TestOutputTopic<String, byte[]> deadLetters;
    private Serializer<ConversationEvent> events;
    private PublishedIds ids;

    @BeforeEach
    void setUp() {
        registry = InMemorySchemaRegistry.named(REGISTRY);
        metrics = SafetyMetrics.noop();
        final VigilSerdes serdes = VigilSerdes.registry(registry);
        final var settings = new VigilTopology.Settings(Topics.CONVERSATION_EVENTS, new EventValidator(MAX_TEXT),
                MonitoringConfig.defaults());
        ids = settings.monitoring().publishedIds();
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "vigil-topology-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, TestStateDir.fresh());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(VigilTopology.build(settings, new KeywordTestClassifier(), serdes, metrics), props);
        input = driver.createInputTopic(Topics.CONVERSATION_EVENTS, new StringSerializer(), new ByteArraySerializer());
        signals = driver.createOutputTopic(Topics.MESSAGE_SIGNALS, new StringDeserializer(),
                serdes.value(MessageSignals.class).deserializer());
        deadLetters = driver.createOutputTopic(Topics.CONVERSATION_EVENTS_DLQ, new StringDeserializer(), new ByteArrayDeserializer());
        events = serdes.value(ConversationEvent.class).serializer();
    }

    @AfterEach
    void tearDown() {
        driver.close();
        InMemorySchemaRegistry.drop(REGISTRY);
    }

    private byte[] framed(final ConversationEvent e) {
        return events.serialize(Topics.CONVERSATION_EVENTS, e);
    }

    @Test
    void shouldClassifyValidEventsAtTheirOwnEventTime() {
        final ConversationEvent e = Events.event("c1", 0, Role.HUMAN, "I feel so anxious today", T0);
        // The producer put a wrong record time on it; the event's own timestamp must win.
        input.pipeInput(new TestRecord<>("c1", framed(e), T0.plusSeconds(1800)));

        final TestRecord<String, MessageSignals> out = signals.readRecord();
        assertEquals(ids.conversation("c1"), out.key(), "keyed by the conversation, published as its pseudonym");
        assertEquals(T0, out.getRecordTime());
        assertEquals(KeywordTestClassifier.VERSION, out.value().getClassifierVersion());
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void shouldSendUnreadableBytesToTheDeadLetterTopicUnchanged() {
        final byte[] garbage = BadRecords.notAvro();
        final RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        input.pipeInput(new TestRecord<>("c2", garbage, headers, T0));

        final TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertEquals("c2", dead.key());
        assertArrayEquals(garbage, dead.value());
        assertEquals("undeserializable", DeadLetters.header(dead.headers(), DeadLetters.REASON));
        assertEquals(Topics.CONVERSATION_EVENTS, DeadLetters.header(dead.headers(), DeadLetters.TOPIC));
        assertEquals("0", DeadLetters.header(dead.headers(), DeadLetters.PARTITION));
        assertEquals("0", DeadLetters.header(dead.headers(), DeadLetters.OFFSET));
        assertEquals("abc", DeadLetters.header(dead.headers(), "trace-id"), "original headers are kept");
        assertTrue(signals.isEmpty());
    }

    @Test
    void shouldDeadLetterEachKindOfBadRecordWithItsReasonAndKeepProcessing() {
        input.pipeInput("a", BadRecords.notAvro(), T0);
        input.pipeInput("b", BadRecords.truncated(framed(Events.event("b", 0, Role.HUMAN, "hello there friend", T0))), T0);
        input.pipeInput("blank-account", framed(BadRecords.blankAccount(T0)), T0);
        input.pipeInput("moderated", BadRecords.unknownRole(registry, Topics.CONVERSATION_EVENTS, T0), T0);
        input.pipeInput("oversize", framed(BadRecords.oversize(MAX_TEXT, T0)), T0);
        input.pipeInput("negative-turn", framed(BadRecords.negativeTurn(T0)), T0);
        input.pipeInput("tombstone", (byte[]) null, T0);
        input.pipeInput("good", framed(Events.event("good", 0, Role.HUMAN, "thank you, that helps", T0)), T0);

        final List<String> reasons = deadLetters.readRecordsToList().stream()
                .map(r -> DeadLetters.header(r.headers(), DeadLetters.REASON)).collect(Collectors.toList());
        assertEquals(List.of("undeserializable", "undeserializable", "missing-field", "unknown-enum", "oversize-text",
                "invalid-field", "null-value"), reasons);
        final List<TestRecord<String, MessageSignals>> out = signals.readRecordsToList();
        assertEquals(1, out.size(), "the good record after seven bad ones is still processed");
        assertEquals(ids.conversation("good"), out.get(0).key());
    }

    @Test
    void shouldNeverPutTheTextIntoTheErrorHeader() {
        final ConversationEvent e = BadRecords.oversize(MAX_TEXT, T0);
        input.pipeInput("oversize", framed(e), T0);
        final TestRecord<String, byte[]> dead = deadLetters.readRecord();
        final String error = DeadLetters.header(dead.headers(), DeadLetters.ERROR);
        assertFalse(error.contains("aaaa"), error);
        assertTrue(error.contains("limit " + MAX_TEXT), error);
    }

    @Test
    void shouldKeyMisKeyedEventsByConversationId() {
        final ConversationEvent e = Events.event("c3", 0, Role.HUMAN, "hello", T0);
        input.pipeInput(new TestRecord<>((String) null, framed(e), T0));
        input.pipeInput(new TestRecord<>("wrong-key", framed(Events.event("c3", 1, Role.HUMAN, "hi again", T0.plusSeconds(5))), T0));

        final List<TestRecord<String, MessageSignals>> out = signals.readRecordsToList();
        assertEquals(List.of(ids.conversation("c3"), ids.conversation("c3")), out.stream().map(TestRecord::key).toList());
    }

    @Test
    void shouldDeadLetterAnEventTheClassifierFailsOnAndKeepGoing() {
        driver.close();
        final VigilSerdes serdes = VigilSerdes.registry(registry);
        final KeywordTestClassifier keywords = new KeywordTestClassifier();
        final dev.vigil.classify.MessageClassifier failing = new dev.vigil.classify.MessageClassifier() {
            @Override
            public MessageSignals classify(final ConversationEvent event) {
                if (event.getText().contains("boom")) {
                    throw new IllegalStateException("model failed");
                }
                return keywords.classify(event);
            }

            @Override
            public String version() {
                return keywords.version();
            }
        };
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "vigil-topology-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, TestStateDir.fresh());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(VigilTopology.build(VigilTopology.Settings.defaults(), failing, serdes, metrics), props);
        input = driver.createInputTopic(Topics.CONVERSATION_EVENTS, new StringSerializer(), new ByteArraySerializer());
        signals = driver.createOutputTopic(Topics.MESSAGE_SIGNALS, new StringDeserializer(),
                serdes.value(MessageSignals.class).deserializer());
        deadLetters = driver.createOutputTopic(Topics.CONVERSATION_EVENTS_DLQ, new StringDeserializer(), new ByteArrayDeserializer());

        final byte[] poison = framed(Events.event("c4", 0, Role.HUMAN, "boom", T0));
        input.pipeInput("c4", poison, T0);
        input.pipeInput("c4", framed(Events.event("c4", 1, Role.HUMAN, "fine now", T0.plusSeconds(1))), T0);

        final TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertArrayEquals(poison, dead.value());
        assertEquals("classifier-error", DeadLetters.header(dead.headers(), DeadLetters.REASON));
        assertEquals(1, signals.readRecordsToList().size(), "the next event is classified");
    }

    @Test
    void shouldNameEveryProcessorSourceAndSink() {
        final var settings = VigilTopology.Settings.defaults();
        final TopologyDescription description = VigilTopology.build(settings, new KeywordTestClassifier(),
                VigilSerdes.plainAvro(), SafetyMetrics.noop()).describe();
        final List<String> unnamed = description.subtopologies().stream()
                .flatMap(s -> s.nodes().stream())
                .map(TopologyDescription.Node::name)
                .filter(n -> n.startsWith("KSTREAM-") || n.startsWith("KTABLE-"))
                .toList();
        assertEquals(List.of(), unnamed);
    }
}
