package dev.vigil.topology;

import dev.vigil.testing.TestStateDir;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.config.Topics;
import dev.vigil.ingest.DeadLetters;
import dev.vigil.ingest.EventValidator;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.serde.InMemorySchemaRegistry;
import dev.vigil.serde.VigilSerdes;
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
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input a hostile or broken producer can send, through the whole topology: events from the
 * future or the distant past, redeliveries, reused ids, ids and labels built to break what they
 * reach, records too large to keep. What a user would check: each such record is dead-lettered
 * with its reason (or, for a redelivery, dropped and counted), and the good traffic around it is
 * processed as if it had not been there.
 */
class HostileInputTest {
    private static final String REGISTRY = "vigil-hostile-input-test";
    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    private InMemorySchemaRegistry registry;
    private SafetyMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> input;
    private TestOutputTopic<String, MessageSignals> signals;
    private TestOutputTopic<String, byte[]> deadLetters;
    private Serializer<ConversationEvent> events;

    @BeforeEach
    void setUp() {
        registry = InMemorySchemaRegistry.named(REGISTRY);
        metrics = SafetyMetrics.noop();
        final VigilSerdes serdes = VigilSerdes.registry(registry);
        final var settings = new VigilTopology.Settings(Topics.CONVERSATION_EVENTS,
                new EventValidator(EventValidator.DEFAULT_MAX_TEXT_CHARS, Duration.ofHours(1), Duration.ofHours(1)),
                MonitoringConfig.defaults());
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "vigil-hostile-input-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, TestStateDir.fresh());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(VigilTopology.build(settings, new KeywordTestClassifier(), serdes, metrics), props);
        input = driver.createInputTopic(Topics.CONVERSATION_EVENTS, new StringSerializer(), new ByteArraySerializer());
        signals = driver.createOutputTopic(Topics.MESSAGE_SIGNALS, new StringDeserializer(),
                serdes.value(MessageSignals.class).deserializer());
        deadLetters = driver.createOutputTopic(Topics.CONVERSATION_EVENTS_DLQ, new StringDeserializer(),
                new ByteArrayDeserializer());
        events = serdes.value(ConversationEvent.class).serializer();
    }

    @AfterEach
    void tearDown() {
        driver.close();
        InMemorySchemaRegistry.drop(REGISTRY);
    }

    private void send(final ConversationEvent e, final Instant recordTime) {
        input.pipeInput(new TestRecord<>(e.getConversationId(), events.serialize(Topics.CONVERSATION_EVENTS, e),
                recordTime));
    }

    private void send(final ConversationEvent e) {
        send(e, e.getTimestamp());
    }

    private List<String> deadLetterReasons() {
        return deadLetters.readRecordsToList().stream()
                .map(r -> DeadLetters.header(r.headers(), DeadLetters.REASON)).collect(Collectors.toList());
    }

    private double count(final String name, final String... tags) {
        final var c = metrics.registry().find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    /** A steady hour of ordinary traffic, a minute a message, with {@code hostile} sent after the 10th. */
    private List<String> hourAround(final Consumer<Integer> hostile) {
        final List<String> ids = new ArrayList<>();
        for (int m = 0; m < 60; m++) {
            final ConversationEvent e = Events.event("steady-" + m, 0, Role.HUMAN, "could you help me plan a trip",
                    T0.plusSeconds(60L * m));
            send(e);
            ids.add(e.getEventId());
            if (m == 10) {
                hostile.accept(m);
            }
        }
        return ids;
    }

    @Test
    void shouldDeadLetterEventsWhoseTimeIsFarFromTheirRecordsAndLeaveTheWindowsAlone() {
        // Event times in the future and the past, by more than the allowed hour, in records stamped now.
        final List<Duration> skews = List.of(Duration.ofDays(365L * 73), Duration.ofDays(2), Duration.ofMinutes(61),
                Duration.ofMinutes(-61), Duration.ofDays(-30), Duration.ofDays(-365L * 20));
        final List<String> good = hourAround(m -> {
            int n = 0;
            for (final Duration skew : skews) {
                final Instant recordTime = T0.plusSeconds(60L * m);
                send(Events.event("skewed-" + n++, 0, Role.HUMAN, "i want to end my life", recordTime.plus(skew)),
                        recordTime);
            }
        });

        assertEquals(skews.stream().map(s -> "skewed-time").collect(Collectors.toList()), deadLetterReasons());
        assertEquals(good, signals.readRecordsToList().stream().map(r -> r.value().getEventId())
                .collect(Collectors.toList()), "every ordinary event after them still has its signal");
        assertEquals(0.0, count(SafetyMetrics.LATE_RECORDS, "stage", "aggregates"),
                "stream time did not jump: no ordinary record was late for its window");
    }

    @Test
    void shouldAcceptEventsWithinTheAllowedSkew() {
        for (final long seconds : new long[] {-3600, -60, 0, 59, 3600}) {
            final ConversationEvent e = Events.event("near-" + (seconds + 4000), 0, Role.HUMAN, "hello there",
                    T0.plusSeconds(seconds));
            send(e, T0);
        }
        assertTrue(deadLetters.isEmpty(), "within an hour either way is not skewed");
        assertEquals(5, signals.readRecordsToList().size());
    }

    @Test
    void shouldCountARedeliveredEventOnceHoweverOftenItArrives() {
        final ConversationEvent disclosure = Events.event("redelivered", 0, Role.HUMAN, "i want to end my life", T0);
        for (int copy = 0; copy < 3; copy++) {
            send(disclosure, T0.plusSeconds(copy * 30L));
        }
        // Re-encoded copies (a producer restarted on another schema id would differ in bytes) count as the same.
        send(ConversationEvent.newBuilder(disclosure).build(), T0.plusSeconds(120));

        final List<TestRecord<String, MessageSignals>> out = signals.readRecordsToList();
        assertEquals(1, out.size(), "one signal for one event");
        assertEquals(3.0, count(SafetyMetrics.REDELIVERIES), "the three copies counted as redeliveries");
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void shouldDeadLetterADifferentEventUnderAReusedIdRatherThanDropIt() {
        final ConversationEvent first = Events.event("reused", 0, Role.HUMAN, "what a lovely morning", T0);
        send(first);
        final List<ConversationEvent> reusing = List.of(
                ConversationEvent.newBuilder(first).setText("i want to end my life").build(),
                ConversationEvent.newBuilder(first).setTimestamp(T0.plusSeconds(5)).build(),
                ConversationEvent.newBuilder(first).setAccountId("acct-other").build(),
                ConversationEvent.newBuilder(first).setRole(Role.ASSISTANT).build(),
                ConversationEvent.newBuilder(first).setModel("another-model").build(),
                ConversationEvent.newBuilder(first).setConversationId("reused-elsewhere").build());
        reusing.forEach(e -> send(e, T0.plusSeconds(10)));

        assertEquals(reusing.stream().map(e -> "reused-event-id").collect(Collectors.toList()), deadLetterReasons());
        assertEquals(1, signals.readRecordsToList().size());
        assertEquals(0.0, count(SafetyMetrics.REDELIVERIES));
    }

    @Test
    void shouldForgetAnEventIdOnceItsHorizonHasPassed() {
        final ConversationEvent e = Events.event("forgotten", 0, Role.HUMAN, "hello there", T0);
        send(e);
        // Stream time moves on by far more than the horizon (and its store's retention).
        for (int h = 1; h <= 6; h++) {
            send(Events.event("later-" + h, 0, Role.HUMAN, "hello again", T0.plus(Duration.ofHours(h))));
        }
        // The same id hours later, with other content: beyond the horizon, it is simply a new event.
        final ConversationEvent again = ConversationEvent.newBuilder(e).setTimestamp(T0.plus(Duration.ofHours(6)))
                .setText("a different message").build();
        send(again);
        assertEquals(8, signals.readRecordsToList().size());
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void shouldDeadLetterIdsAndLabelsBuiltToBreakWhatTheyReach() {
        final Map<String, Consumer<ConversationEvent.Builder>> hostile = new java.util.LinkedHashMap<>();
        hostile.put("long event id", b -> b.setEventId("e".repeat(EventValidator.MAX_ID_CHARS + 1)));
        hostile.put("huge conversation id", b -> b.setConversationId("c".repeat(100_000)));
        hostile.put("long account id", b -> b.setAccountId("a".repeat(129)));
        hostile.put("newline in id", b -> b.setAccountId("acct\nFAKE LOG LINE"));
        hostile.put("space in id", b -> b.setConversationId("conv 1"));
        hostile.put("tab in id", b -> b.setEventId("e\t1"));
        hostile.put("NUL in id", b -> b.setAccountId("acct\u0000x"));
        hostile.put("escape sequence in id", b -> b.setAccountId("acct\u001b[2J"));
        hostile.put("bidi override in id", b -> b.setConversationId("conv\u202Egnp.exe"));
        hostile.put("zero-width space in id", b -> b.setAccountId("ac\u200Bct"));
        hostile.put("line separator in id", b -> b.setEventId("e\u2028x"));
        hostile.put("private-use char in id", b -> b.setAccountId("acct\uE000"));
        hostile.put("no-break space in id", b -> b.setAccountId("acct\u00A0x"));
        hostile.put("long model", b -> b.setModel("m".repeat(65)));
        hostile.put("slack mention in model", b -> b.setModel("<!channel>"));
        hostile.put("link in surface", b -> b.setSurface("<http://evil.example|click>"));
        hostile.put("newline in country", b -> b.setCountry("GB\nX"));
        hostile.put("markup in language", b -> b.setLanguage("en<script>"));
        hostile.put("long language", b -> b.setLanguage("en-" + "x".repeat(60)));
        hostile.put("trailing space in model", b -> b.setModel("gpt "));
        hostile.put("quote in model", b -> b.setModel("a\"b"));
        hostile.put("emoji in surface", b -> b.setSurface("web\uD83D\uDE00"));
        int n = 0;
        for (final var entry : hostile.entrySet()) {
            final ConversationEvent.Builder b = ConversationEvent.newBuilder(
                    Events.event("hostile-" + n, 0, Role.HUMAN, "hello there", T0.plusSeconds(n)));
            n++;
            entry.getValue().accept(b);
            send(b.build());
        }
        final List<String> reasons = deadLetterReasons();
        assertEquals(hostile.size(), reasons.size(), "each hostile record dead-lettered: " + hostile.keySet());
        assertTrue(reasons.stream().allMatch("invalid-field"::equals), reasons.toString());
        assertTrue(signals.isEmpty());
    }

    @Test
    void shouldAcceptTheIdsAndLabelsRealProducersUse() {
        final List<Consumer<ConversationEvent.Builder>> ordinary = List.of(
                b -> b.setEventId("3f2b8c1e-9d4a-4c7e-b1a2-0e6f5d4c3b2a"),
                b -> b.setConversationId("conv_01HZX3J8K9"),
                b -> b.setAccountId("user:12345@tenant-7"),
                b -> b.setAccountId("アカウント-7"),
                b -> b.setModel("claude-3.5-sonnet@2024-10-22"),
                b -> b.setModel("Llama 3 70B"),
                b -> b.setSurface("api/v1"),
                b -> b.setCountry("GB"),
                b -> b.setLanguage("pt-BR"),
                b -> b.setLanguage("zh-Hant-TW"),
                b -> b.setAccountId("a".repeat(EventValidator.MAX_ID_CHARS)));
        int n = 0;
        for (final var change : ordinary) {
            final ConversationEvent.Builder b = ConversationEvent.newBuilder(
                    Events.event("ordinary-" + n, 0, Role.HUMAN, "hello there", T0.plusSeconds(n)));
            n++;
            change.accept(b);
            send(b.build());
        }
        assertEquals(List.of(), deadLetterReasons());
        assertEquals(ordinary.size(), signals.readRecordsToList().size());
    }

    @Test
    void shouldDeadLetterRecordsTooLargeForAnyEventCutToFitWithTheirSizeAndHash() throws Exception {
        final EventValidator rules = new EventValidator();
        for (final int size : new int[] {rules.maxRecordBytes() + 1, 2 * 1024 * 1024, 5 * 1024 * 1024}) {
            final byte[] value = new byte[size];
            new java.util.Random(size).nextBytes(value);
            input.pipeInput(new TestRecord<>("big-" + size, value, T0));
            final TestRecord<String, byte[]> dead = deadLetters.readRecord();
            assertEquals("oversize-record", DeadLetters.header(dead.headers(), DeadLetters.REASON));
            assertTrue(dead.value().length <= DeadLetters.MAX_VALUE_BYTES, "cut to fit: " + dead.value().length);
            if (size > DeadLetters.MAX_VALUE_BYTES) {
                assertEquals(Integer.toString(size), DeadLetters.header(dead.headers(), DeadLetters.ORIGINAL_SIZE));
                assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value)),
                        DeadLetters.header(dead.headers(), DeadLetters.SHA256));
            } else {
                assertEquals(size, dead.value().length, "kept whole when it fits");
            }
        }
        // Huge headers: Vigil's reason survives, the rest is dropped and counted.
        final RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < 100; i++) {
            headers.add("h" + i, new byte[4096]);
        }
        input.pipeInput(new TestRecord<>("heavy-headers", "not avro".getBytes(StandardCharsets.UTF_8), headers, T0));
        final TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertEquals("undeserializable", DeadLetters.header(dead.headers(), DeadLetters.REASON));
        assertEquals("100", DeadLetters.header(dead.headers(), DeadLetters.HEADERS_DROPPED));
        send(Events.event("after-big", 0, Role.HUMAN, "hello there", T0));
        assertEquals(1, signals.readRecordsToList().size(), "a good record after them is processed");
    }
}
