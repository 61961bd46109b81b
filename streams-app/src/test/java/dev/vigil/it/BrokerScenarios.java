package dev.vigil.it;

import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilApp;
import dev.vigil.app.VigilTopics;
import dev.vigil.config.Topics;
import dev.vigil.ingest.DeadLetters;
import dev.vigil.ingest.EventValidator;
import dev.vigil.ingest.JsonEvents;
import dev.vigil.ingest.JsonlProducer;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.serde.InMemorySchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.simulate.TrafficSimulator;
import dev.vigil.testing.BadRecords;
import dev.vigil.testing.Events;
import dev.vigil.testing.KeywordTestClassifier;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.VigilTopology;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker scenarios every real-broker test class runs: the in-JVM KRaft broker of Kafka's
 * test kit, Vigil's own embedded broker, and Testcontainers where Docker exists. A subclass only
 * says where its broker is; the scenarios are written once, here.
 *
 * <p>Each scenario uses its own input and dead-letter topics, application id and registry, and
 * its own conversation ids; on the shared output topics it counts only its own records.
 */
abstract class BrokerScenarios {
    private static final int MAX_TEXT = 500;
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    @TempDir
    Path stateDir;

    private String suffix;
    private String inputTopic;
    private MonitoringConfig monitoring;
    private String registryUrl;
    private VigilApp app;

    /** {@code host:port} of the broker under test. */
    protected abstract String bootstrapServers();

    @BeforeEach
    void isolate() {
        suffix = UUID.randomUUID().toString().substring(0, 8);
        inputTopic = "conversation-events-" + suffix;
        // Raw ids in the outputs: the scenarios find their records by conversation id (what is
        // published by default is PublishedIdsTest's subject).
        monitoring = MonitoringConfig.builder().rawIdsInOutputs(true).build();
        registryUrl = "mock://it-" + suffix;
        VigilTopics.ensure(clientProperties(), VigilTopics.topics(inputTopic, monitoring, 2, (short) 1));
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        InMemorySchemaRegistry.drop(registryUrl.substring("mock://".length()));
    }

    @Test
    void shouldProcessTheGoodRecordsAndDeadLetterEveryBadOneWithItsReason() throws Exception {
        final VigilSerdes serdes = serdes();
        final List<String> lines = new ArrayList<>();
        int good = 0;
        for (int c = 0; c < 3; c++) {
            for (int turn = 0; turn < 4; turn++) {
                lines.add(JsonEvents.toJson(Events.event(suffix + "-conv-" + c, turn, turn % 2 == 0 ? Role.HUMAN : Role.ASSISTANT,
                        turn % 2 == 0 ? "I feel anxious about work" : "That sounds stressful.", T0.plusSeconds(10L * turn))));
                good++;
            }
        }
        // Bad lines, each a different way a JSONL file goes wrong (produce rejects the first three,
        // the stream the last two).
        lines.add(3, "{\"event_id\": \"broken\", \"conversation_id\": ");
        lines.add(7, "this is not json at all");
        lines.add(JsonEvents.toJson(Events.event("conv-x", 0, Role.HUMAN, "hello", T0)).replace("\"account_id\":\"acct-conv-x\",", ""));
        lines.add(JsonEvents.toJson(Events.event("conv-y", 0, Role.HUMAN, "hello", T0)).replace("\"HUMAN\"", "\"MODERATOR\""));
        lines.add(JsonEvents.toJson(Events.event("conv-z", 0, Role.HUMAN, "x".repeat(MAX_TEXT + 1), T0)));
        final ByteArrayOutputStream report = new ByteArrayOutputStream();

        startApp(serdes);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            final JsonlProducer.Result result = new JsonlProducer(producer, serdes.value(ConversationEvent.class).serializer(),
                    inputTopic).produce(new BufferedReader(new StringReader(String.join("\n", lines))), "events.jsonl",
                    new PrintStream(report, true, StandardCharsets.UTF_8));
            assertEquals(good + 2, result.events(), "good events plus the two the stream must reject");
            assertEquals(3, result.rejectedLines());
            // Bytes no JSON file can produce: a foreign format, a cut-off record, a blank id.
            final byte[] framed = serdes.value(ConversationEvent.class).serializer()
                    .serialize(inputTopic, Events.event("conv-q", 0, Role.HUMAN, "hello there", T0));
            producer.send(new ProducerRecord<>(inputTopic, "conv-p", BadRecords.notAvro()));
            producer.send(new ProducerRecord<>(inputTopic, "conv-q", BadRecords.truncated(framed)));
            producer.send(new ProducerRecord<>(inputTopic, "blank-account",
                    serdes.value(ConversationEvent.class).serializer().serialize(inputTopic, BadRecords.blankAccount(T0))));
            producer.flush();
        }
        final String problems = report.toString(StandardCharsets.UTF_8);
        assertTrue(problems.contains("events.jsonl:4: malformed-json"), problems);
        assertTrue(problems.contains("events.jsonl:8: malformed-json"), problems);
        assertTrue(problems.contains("missing-field"), problems);

        final int bad = 8;
        final List<ConsumerRecord<String, byte[]>> signals = readExactly(monitoring.topic(Topics.MESSAGE_SIGNALS), good, "signals of good events",
                r -> r.key() != null && r.key().startsWith(suffix));
        final List<ConsumerRecord<String, byte[]>> dead = readExactly(inputTopic + ".dlq", bad, "dead letters", r -> true);

        final Map<String, Long> reasons = dead.stream().collect(Collectors.groupingBy(
                r -> DeadLetters.header(r.headers(), DeadLetters.REASON), Collectors.counting()));
        assertEquals(Map.of("malformed-json", 2L, "missing-field", 2L, "unknown-enum", 1L, "oversize-text", 1L,
                "undeserializable", 2L), reasons);
        for (final ConsumerRecord<String, byte[]> r : dead) {
            final boolean fromFile = DeadLetters.header(r.headers(), DeadLetters.LINE) != null;
            if (!fromFile) {
                assertEquals(inputTopic, DeadLetters.header(r.headers(), DeadLetters.TOPIC));
                assertNotNull(DeadLetters.header(r.headers(), DeadLetters.PARTITION));
                assertNotNull(DeadLetters.header(r.headers(), DeadLetters.OFFSET));
            }
        }
        final var deserializer = serdes.value(MessageSignals.class).deserializer();
        for (final ConsumerRecord<String, byte[]> r : signals) {
            final MessageSignals s = deserializer.deserialize(r.topic(), r.value());
            assertEquals(s.getConversationId(), r.key());
            assertEquals(s.getEventTime().toEpochMilli(), r.timestamp(), "record time is event time");
        }
        assertTrue(app.state().isRunningOrRebalancing(), "the application keeps running");
    }

    @Test
    void shouldTurnEveryProducedEventIntoExactlyOneSignal() throws Exception {
        final VigilSerdes serdes = serdes();
        final List<ConversationEvent> events = new ArrayList<>();
        new TrafficSimulator(3, T0, 20, Duration.ofSeconds(30)).forEachRemaining(e -> {
            e.setConversationId(suffix + "-" + e.getConversationId());
            e.setEventId(suffix + "-" + e.getEventId());
            events.add(e);
        });
        final String jsonl = events.stream().map(JsonEvents::toJson).collect(Collectors.joining("\n"));
        startApp(serdes);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            new JsonlProducer(producer, serdes.value(ConversationEvent.class).serializer(), inputTopic)
                    .produce(new BufferedReader(new StringReader(jsonl)), "simulated.jsonl", System.err);
        }
        final List<ConsumerRecord<String, byte[]>> signals = readExactly(monitoring.topic(Topics.MESSAGE_SIGNALS),
                events.size(), "one signal per event", r -> r.key() != null && r.key().startsWith(suffix));
        final var deserializer = serdes.value(MessageSignals.class).deserializer();
        final List<String> ids = signals.stream().map(r -> deserializer.deserialize(r.topic(), r.value()).getEventId())
                .sorted().toList();
        assertEquals(events.stream().map(ConversationEvent::getEventId).sorted().toList(), ids);
    }

    private VigilSerdes serdes() {
        return VigilSerdes.registry(SchemaRegistries.forUrl(registryUrl, Map.of()));
    }

    private void startApp(final VigilSerdes serdes) throws InterruptedException {
        final StreamsSettings settings = new StreamsSettings("vigil-it-" + suffix, bootstrapServers(), registryUrl,
                stateDir, 100, (short) 1, 2, 1, Map.of());
        final var topology = VigilTopology.build(new VigilTopology.Settings(inputTopic, new EventValidator(MAX_TEXT), monitoring),
                new KeywordTestClassifier(), serdes, SafetyMetrics.noop());
        app = new VigilApp(topology, settings);
        app.start();
        assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "Kafka Streams reached RUNNING");
    }

    private Properties clientProperties() {
        return StreamsSettings.clientProperties(bootstrapServers(), Map.of());
    }

    private KafkaProducer<String, byte[]> producer() {
        final Properties p = clientProperties();
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Reads committed records of {@code topic} that are {@code ours} until {@code expected} arrived, then checks nothing more follows. */
    private List<ConsumerRecord<String, byte[]>> readExactly(final String topic, final int expected, final String what,
                                                           final java.util.function.Predicate<ConsumerRecord<String, byte[]>> ours) {
        final Properties p = clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> tps = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            await().alias(what).atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (ours.test(r)) {
                        out.add(r);
                    }
                });
                return out.size() >= expected;
            });
            // A second look: exactly-once means no extra copies turn up after the expected ones.
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (ours.test(r)) {
                        out.add(r);
                    }
                });
            }
        }
        assertEquals(expected, out.size(), what);
        return out;
    }
}
