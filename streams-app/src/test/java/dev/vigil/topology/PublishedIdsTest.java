package dev.vigil.topology;

import dev.vigil.testing.TestStateDir;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.privacy.Pseudonyms;
import dev.vigil.config.Topics;
import dev.vigil.ingest.EventValidator;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.serde.InMemorySchemaRegistry;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.testing.KeywordTestClassifier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a reader of Vigil's outputs can learn about who wrote a disclosure. Every record on every
 * output topic (signals, summaries, aggregates, alerts), keys, values and headers alike, is
 * searched for the raw account and conversation ids of a conversation that raised a missed-referral
 * alert: by default none may appear, and the alert names the conversation by the pseudonym a
 * responder with the key can resolve. A deployment that opts in gets the raw ids.
 */
class PublishedIdsTest {
    private static final String REGISTRY = "published-ids-test";
    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
    private static final String ACCOUNT = "acct-7f3e-alice";
    private static final String CONVERSATION = "conv-20260105-alice-1";
    private static final List<String> OUTPUTS = List.of(Topics.MESSAGE_SIGNALS, Topics.CONVERSATION_SUMMARIES,
            Topics.AGGREGATES, Topics.ALERTS);

    private TopologyTestDriver driver;
    private final List<MessageSignals> publishedSignals = new ArrayList<>();

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        InMemorySchemaRegistry.drop(REGISTRY);
    }

    /** Every output record's key, value and headers, as raw bytes rendered as text. */
    private List<String> outputsOf(final MonitoringConfig config) {
        final VigilSerdes serdes = VigilSerdes.registry(InMemorySchemaRegistry.named(REGISTRY));
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "published-ids-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, TestStateDir.fresh());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(VigilTopology.build(new VigilTopology.Settings(Topics.CONVERSATION_EVENTS,
                new EventValidator(), config), new KeywordTestClassifier(), serdes, SafetyMetrics.noop()), props);
        final TestInputTopic<String, byte[]> input = driver.createInputTopic(Topics.CONVERSATION_EVENTS,
                new StringSerializer(), new ByteArraySerializer());
        final Serializer<ConversationEvent> events = serdes.value(ConversationEvent.class).serializer();
        final String[] texts = {"hello, i feel so sad today", "that sounds hard", "i want to end my life",
            "i hear you, tell me more", "ok"};
        for (int turn = 0; turn < texts.length; turn++) {
            final Instant at = T0.plusSeconds(20L * turn);
            final ConversationEvent e = ConversationEvent.newBuilder().setEventId("evt-" + turn)
                    .setConversationId(CONVERSATION).setAccountId(ACCOUNT).setTurn(turn)
                    .setRole(turn % 2 == 0 ? Role.HUMAN : Role.ASSISTANT).setText(texts[turn]).setTimestamp(at)
                    .setModel("model-test").build();
            input.pipeInput(new TestRecord<>(CONVERSATION, events.serialize(Topics.CONVERSATION_EVENTS, e), at));
        }
        // Time moves on: the conversation ends, windows close.
        input.pipeInput(new TestRecord<>("later", events.serialize(Topics.CONVERSATION_EVENTS,
                ConversationEvent.newBuilder().setEventId("evt-later").setConversationId("later")
                        .setAccountId("acct-later").setTurn(0).setRole(Role.HUMAN).setText("hi")
                        .setTimestamp(T0.plus(Duration.ofHours(3))).build()), T0.plus(Duration.ofHours(3))));
        final List<String> out = new ArrayList<>();
        final var signalReader = serdes.value(MessageSignals.class).deserializer();
        for (final String topic : OUTPUTS) {
            driver.createOutputTopic(config.topic(topic), new ByteArrayDeserializer(), new ByteArrayDeserializer())
                    .readRecordsToList().forEach(r -> {
                        if (topic.equals(Topics.MESSAGE_SIGNALS)) {
                            publishedSignals.add(signalReader.deserialize(topic, r.value()));
                        }
                        final StringBuilder b = new StringBuilder(topic).append(' ');
                        if (r.key() != null) {
                            b.append(new String(r.key(), StandardCharsets.ISO_8859_1));
                        }
                        b.append(' ').append(new String(r.value(), StandardCharsets.ISO_8859_1));
                        r.headers().forEach(h -> b.append(' ').append(h.key()).append('=')
                                .append(h.value() == null ? "" : new String(h.value(), StandardCharsets.ISO_8859_1)));
                        out.add(b.toString());
                    });
        }
        return out;
    }

    @Test
    void shouldPublishNoRawAccountOrConversationIdByDefault() {
        final MonitoringConfig config = MonitoringConfig.defaults();
        final List<String> out = outputsOf(config);
        assertTrue(out.stream().anyMatch(r -> r.startsWith(Topics.ALERTS)), "the missed referral was raised");
        assertTrue(out.stream().anyMatch(r -> r.startsWith(Topics.CONVERSATION_SUMMARIES)), "a summary was published");
        for (final String r : out) {
            assertFalse(r.contains(ACCOUNT), "raw account id in " + r);
            assertFalse(r.contains(CONVERSATION), "raw conversation id in " + r);
            assertFalse(r.contains("alice"), "any part of an id in " + r);
        }
        final String pseudonym = new Pseudonyms(config.pseudonymKey()).pseudonym(CONVERSATION);
        assertTrue(out.stream().anyMatch(r -> r.startsWith(Topics.ALERTS) && r.contains(pseudonym)),
                "the alert names the conversation by the pseudonym the key resolves");
    }

    @Test
    void shouldPublishSignalsWithoutTheTextsFingerprint() {
        outputsOf(MonitoringConfig.defaults());
        assertEquals(6, publishedSignals.size());
        for (final MessageSignals s : publishedSignals) {
            assertNull(s.getSimhash(), "no SimHash of the text leaves the stream: " + s.getEventId());
        }
        // The abuse stage still reads it inside the stream: the stages' own copy is untouched.
        final MessageSignals inside = MessageSignals.newBuilder().setEventId("e").setConversationId(CONVERSATION)
                .setAccountId(ACCOUNT).setTurn(0).setRole(Role.HUMAN).setEventTime(T0).setTokenCount(3)
                .setSimhash(0x1234L).setClassifierVersion("v").build();
        MonitoringConfig.defaults().publishedIds().signals(inside);
        assertEquals(0x1234L, inside.getSimhash());
    }

    @Test
    void shouldPublishRawIdsOnlyWhereTheDeploymentOptsIn() {
        final List<String> out = outputsOf(MonitoringConfig.builder().rawIdsInOutputs(true).build());
        assertTrue(out.stream().anyMatch(r -> r.startsWith(Topics.ALERTS) && r.contains(CONVERSATION)));
        assertTrue(out.stream().anyMatch(r -> r.startsWith(Topics.MESSAGE_SIGNALS) && r.contains(ACCOUNT)));
    }
}
