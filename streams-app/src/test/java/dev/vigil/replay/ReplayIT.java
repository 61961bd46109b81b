package dev.vigil.replay;

import dev.vigil.testing.InJvmKafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.alert.Alerts;
import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilApp;
import dev.vigil.app.VigilTopics;
import dev.vigil.cli.VigilCommand;
import dev.vigil.config.Topics;
import dev.vigil.ingest.EventValidator;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.InMemorySchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.testing.Events;
import dev.vigil.testing.KeywordTestClassifier;
import dev.vigil.testing.StricterKeywordTestClassifier;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.VigilTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays on a real broker (Kafka's in-JVM KRaft test kit: one combined node, replication 1),
 * against a live Vigil application that has processed a scripted day of traffic.
 *
 * <p>The input topic has three partitions, processed at different speeds live and in the replay:
 * windows close on event-time progress (see {@code dev.vigil.stream.Stamped}), so the results
 * agree all the same.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplayIT {
    private static final Instant DAY = Instant.parse("2026-03-02T00:00:00Z");
    private static final Instant DAY_END = DAY.plus(Duration.ofHours(24));
    private static final String INPUT = "conversation-events";
    private static final String REGISTRY = "mock://replay-it";
    private static final Duration CONVERSATION_EVERY = Duration.ofMinutes(6);
    /** Input partitions: several, so live and replay process them at different speeds. */
    private static final int PARTITIONS = Integer.getInteger("vigil.replay.it.partitions", 3);
    /** Short windows and gap, k small enough that cells are published with counts. */
    private static final MonitoringConfig MONITORING = MonitoringConfig.builder()
            .aggregateWindows(List.of(new MonitoringConfig.WindowSpec(Duration.ofMinutes(20), Duration.ofMinutes(10)),
                    new MonitoringConfig.WindowSpec(Duration.ofHours(1), Duration.ofMinutes(30))))
            .grace(Duration.ofMinutes(1))
            .inactivityGap(Duration.ofMinutes(10))
            .k(3)
            .persistentStores(false)
            .build();
    /** Alerts name conversations by their pseudonyms under the live run's key. */
    private static final dev.vigil.privacy.PublishedIds PUBLISHED = MONITORING.publishedIds();

    private static InJvmKafka kafka;
    private static Path stateDir;
    private static VigilApp live;
    private static VigilSerdes serdes;
    /** Conversations whose disclosure the strict classifier sees and the standard one does not. */
    private static final List<String> HOPELESS = new ArrayList<>();

    @BeforeAll
    static void liveRunOverAScriptedDay() throws Exception {
        kafka = InJvmKafka.start();
        stateDir = Files.createTempDirectory("replay-it-state");
        serdes = VigilSerdes.registry(SchemaRegistries.forUrl(REGISTRY, Map.of()));
        VigilTopics.ensure(client(), VigilTopics.topics(INPUT, MONITORING, PARTITIONS, (short) 1));

        live = new VigilApp(VigilTopology.build(new VigilTopology.Settings(INPUT, new EventValidator(), MONITORING),
                new KeywordTestClassifier(), serdes, SafetyMetrics.noop()), streams("vigil"));
        live.start();
        assertTrue(live.awaitRunning(Duration.ofSeconds(90)), "live application running");
        produce(scriptedDay());
        awaitDrained("vigil");
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (live != null) {
            live.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        InMemorySchemaRegistry.drop("replay-it");
        if (stateDir != null) {
            org.apache.kafka.common.utils.Utils.delete(stateDir.toFile());
        }
    }

    @Test
    @Order(1)
    void shouldReproduceTheLiveSignalsSummariesAggregatesAndAlertsRecordForRecord() throws Exception {
        final Replay.Result result = replay("full", DAY, DAY_END, Duration.ZERO, new KeywordTestClassifier());
        assertEquals(scriptedDay().size() + 1, result.records(), "every input record of the day was read");

        for (final String topic : List.of(Topics.MESSAGE_SIGNALS, Topics.AGGREGATES, Topics.ALERTS)) {
            final List<String> liveRecords = comparable(topic, render(topic, "", r -> true));
            assertFalse(liveRecords.isEmpty(), "live " + topic + " has records");
            assertSameRecords(liveRecords, comparable(topic, render(topic, result.outputPrefix(), r -> true)),
                    topic + ": replay equals live record for record");
        }
        // Summaries are compacted: what both guarantee is the latest summary of every conversation.
        final Map<String, String> liveSummaries = latestByKey(render(Topics.CONVERSATION_SUMMARIES, "", r -> true));
        assertTrue(liveSummaries.size() > 200, "summaries of the day's conversations");
        assertEquals(liveSummaries, latestByKey(render(Topics.CONVERSATION_SUMMARIES, result.outputPrefix(), r -> true)),
                "latest summary of every conversation");
        final Set<String> types = new TreeSet<>();
        read(Topics.prefixed(result.outputPrefix(), Topics.ALERTS), SafetyAlert.class)
                .forEach(r -> types.add(r.value().getType().name()));
        assertTrue(types.containsAll(Set.of("MISSED_REFERRAL", "COORDINATED_ABUSE")), "alerts raised: " + types);
        // The bad record of the day went to the replay's own dead-letter topic, not the live one twice.
        assertEquals(1, TopicReader.readBytes(client(), Topics.prefixed(result.outputPrefix(), INPUT + ".dlq")).size());
        assertEquals(1, TopicReader.readBytes(client(), INPUT + ".dlq").size());
        assertCleanedUp("full");
        // A backfill of the past must not be deleted by time-based retention right after it is written.
        try (Admin admin = Admin.create(client())) {
            final var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC,
                    Topics.prefixed(result.outputPrefix(), Topics.AGGREGATES));
            assertEquals("-1", admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                    .get(resource).get("retention.ms").value());
        }
    }

    @Test
    @Order(2)
    void shouldGiveTheLiveResultsForWindowsFullyInsideASubRange() throws Exception {
        final Instant from = DAY.plus(Duration.ofHours(6));
        final Instant to = DAY.plus(Duration.ofHours(12));
        final Replay.Result result = replay("morning", from, to, Duration.ofHours(1), new KeywordTestClassifier());
        final Predicate<ConsumerRecord<String, ?>> inside = r -> {
            final WindowAggregate a = (WindowAggregate) r.value();
            return !a.getWindowStart().isBefore(from) && !a.getWindowEnd().isAfter(to);
        };
        final List<String> liveInside = comparable(Topics.AGGREGATES, render(Topics.AGGREGATES, "", inside));
        final List<String> replayInside = comparable(Topics.AGGREGATES,
                render(Topics.AGGREGATES, result.outputPrefix(), inside));
        assertTrue(liveInside.size() > 50, "many windows inside the range: " + liveInside.size());
        assertSameRecords(liveInside, replayInside, "windows fully inside [from, to]");

        // With a warm-up longer than any conversation, everything published equals the live
        // output of the same event times, conversation summaries and referral alerts included.
        final Predicate<ConsumerRecord<String, ?>> inRange = r -> r.timestamp() >= from.toEpochMilli()
                && r.timestamp() <= to.toEpochMilli();
        assertSameRecords(comparable(Topics.AGGREGATES, render(Topics.AGGREGATES, "", inRange)),
                comparable(Topics.AGGREGATES, render(Topics.AGGREGATES, result.outputPrefix(), r -> true)),
                "every published aggregate");
        final Map<String, String> liveSummaries = latestByKey(render(Topics.CONVERSATION_SUMMARIES, "", r -> true));
        final Map<String, String> replaySummaries = latestByKey(render(Topics.CONVERSATION_SUMMARIES,
                result.outputPrefix(), r -> true));
        int ended = 0;
        for (final Map.Entry<String, String> e : liveSummaries.entrySet()) {
            final long ts = Long.parseLong(e.getValue().substring(e.getValue().indexOf('@') + 1,
                    e.getValue().indexOf(' ', e.getValue().indexOf('@'))));
            if (ts >= from.toEpochMilli() && ts <= to.toEpochMilli()) {
                assertEquals(e.getValue(), replaySummaries.get(e.getKey()), "final summary of " + e.getKey());
                ended++;
            }
        }
        assertTrue(ended > 40, "conversations that ended inside the range: " + ended);
        final Predicate<ConsumerRecord<String, ?>> referral = r -> inRange.test(r)
                && ((SafetyAlert) r.value()).getType() == AlertType.MISSED_REFERRAL;
        final List<String> liveReferrals = comparable(Topics.ALERTS, render(Topics.ALERTS, "", referral));
        assertFalse(liveReferrals.isEmpty());
        assertSameRecords(liveReferrals, comparable(Topics.ALERTS, render(Topics.ALERTS, result.outputPrefix(), referral)),
                "referral alerts");
        for (final ConsumerRecord<String, byte[]> r : TopicReader.readBytes(client(),
                Topics.prefixed(result.outputPrefix(), Topics.CONVERSATION_SUMMARIES))) {
            assertTrue(r.timestamp() >= from.toEpochMilli() && r.timestamp() <= to.toEpochMilli(),
                    "nothing outside the range is published");
        }
    }

    @Test
    @Order(3)
    void shouldReportWhatAnotherClassifierVersionChanges() throws Exception {
        // Through the command line, as an analyst runs it: the classifier is found by its version
        // (the test doubles are registered as services in the test class path).
        final ByteArrayOutputStream progress = new ByteArrayOutputStream();
        final PrintStream err = System.err;
        System.setErr(new PrintStream(progress, true, StandardCharsets.UTF_8));
        final String done;
        // The live run's pseudonym key, as an operator passes it: in a file.
        final Path keyFile = Files.writeString(Files.createTempFile("replay-it", ".key"), MONITORING.pseudonymKey().text());
        keyFile.toFile().deleteOnExit();
        try {
            done = cli("replay", "--from", DAY.toString(), "--to", DAY_END.toString(), "--output-prefix", "strict",
                    "--classifier-version", StricterKeywordTestClassifier.VERSION, "--commit-interval", "100ms",
                    "--state-dir", stateDir.toString(), "--input-topic", INPUT, "--pseudonym-key-file", keyFile.toString(),
                    "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url", REGISTRY);
        } finally {
            System.setErr(err);
        }
        final String lines = progress.toString(StandardCharsets.UTF_8);
        assertTrue(lines.contains("replay: 1,927 / 1,927 records (100.0%)"), lines);
        assertTrue(done.contains("replay strict done: 1,927 input records"), done);
        assertCleanedUp("strict");
        final String json = cli("replay", "--compare", "full", "strict", "--json",
                "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url", REGISTRY);
        final JsonNode report = new ObjectMapper().readTree(json);
        final int hopeless = HOPELESS.size();
        assertTrue(hopeless >= 10, "script has hopeless disclosures");
        assertEquals(scriptedDay().size(), report.get("compared").asLong(), "every message compared");
        assertEquals(0, report.get("onlyInA").asLong());
        final JsonNode crisis = report.get("labels").get("crisis_level");
        assertEquals(hopeless, crisis.get("changed").asLong());
        assertEquals(hopeless, crisis.get("changes").get("none -> active_ideation").asLong());
        final JsonNode sentiment = report.get("labels").get("sentiment");
        assertEquals(hopeless, sentiment.get("changes").get("neutral -> negative").asLong());
        for (final String unchanged : List.of("affective_category", "pushback", "referral")) {
            assertEquals(0, report.get("labels").get(unchanged).get("changed").asLong(), unchanged);
        }
        final JsonNode missed = report.get("alerts").get("MISSED_REFERRAL");
        final List<String> added = new ArrayList<>();
        missed.get("added").forEach(n -> added.add(n.asText()));
        final List<String> expected = HOPELESS.stream()
                .map(c -> Alerts.dedupKey(AlertType.MISSED_REFERRAL, "conversation", PUBLISHED.conversation(c), "turn-2"))
                .sorted().toList();
        assertEquals(expected, added, "one new missed-referral alert per hopeless disclosure");
        assertEquals(0, missed.get("removed").size());
        assertEquals(List.of(KeywordTestClassifier.VERSION), List.of(report.get("versionsA").get(0).asText()));

        final String table = cli("replay", "--compare", "full", "backfill.strict",
                "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url", REGISTRY);
        assertTrue(table.contains("none -> active_ideation"), table);
        assertTrue(table.contains("+ " + expected.get(0)), table);
    }

    @Test
    @Order(4)
    void shouldLeaveTheLiveApplicationRunningAndAlertingDuringAReplay() throws Exception {
        final List<ConsumerRecord<String, SafetyAlert>> before = read(Topics.ALERTS, SafetyAlert.class);
        final Set<String> dayKeys = new HashSet<>();
        before.forEach(r -> dayKeys.add(r.value().getDedupKey()));
        final Replay replay = new Replay(options("during", DAY, DAY_END, Duration.ZERO), new KeywordTestClassifier(),
                serdes, SafetyMetrics.noop());
        try {
            replay.start();
            await().atMost(90, TimeUnit.SECONDS).until(() -> replay.state() == KafkaStreams.State.RUNNING);
            // A crisis after the scripted day, on the live input, while the replay runs.
            final String conversation = "late-crisis";
            final Instant at = DAY_END.plus(Duration.ofHours(1));
            produce(List.of(Events.event(conversation, 0, Role.HUMAN, "I want to kill myself", at),
                    Events.event(conversation, 1, Role.ASSISTANT, "That sounds very hard.", at.plusSeconds(30))));
            final String key = Alerts.dedupKey(AlertType.MISSED_REFERRAL, "conversation",
                    PUBLISHED.conversation(conversation), "turn-0");
            await().atMost(60, TimeUnit.SECONDS).until(() -> read(Topics.ALERTS, SafetyAlert.class).stream()
                    .anyMatch(r -> r.value().getDedupKey().equals(key)));
            assertTrue(replay.state().isRunningOrRebalancing(), "the replay was running while live alerted");
            assertEquals(KafkaStreams.State.RUNNING, live.state());
            replay.awaitCompletion(Duration.ofMinutes(3), Duration.ofSeconds(5), p -> { });
        } finally {
            replay.close();
        }
        final List<ConsumerRecord<String, SafetyAlert>> after = read(Topics.ALERTS, SafetyAlert.class);
        final Set<String> beforeKeys = new TreeSet<>();
        before.forEach(r -> beforeKeys.add(r.key()));
        assertSameRecords(comparable(Topics.ALERTS, render(before)),
                comparable(Topics.ALERTS, render(after.stream().filter(r -> beforeKeys.contains(r.key())).toList())),
                "live alerts of the day unchanged");
        for (final ConsumerRecord<String, SafetyAlert> r : after.stream().filter(r -> !beforeKeys.contains(r.key())).toList()) {
            assertFalse(dayKeys.contains(r.value().getDedupKey()), "no replayed alert in safety.alerts: "
                    + r.value().getDedupKey());
        }
        assertFalse(read(Topics.prefixed(Replay.outputPrefix("during"), Topics.ALERTS), SafetyAlert.class).isEmpty(),
                "the replay did raise its alerts, in its own topic");
        assertEquals(KafkaStreams.State.RUNNING, live.state());
    }

    // --- the scripted day -------------------------------------------------------------------

    /**
     * A day of traffic: a conversation every six minutes from twelve accounts, four exchanges
     * each; every twelfth conversation discloses suicidal intent (alternately answered with a
     * crisis line and not at all), every seventh (otherwise) a hopelessness the standard test
     * classifier does not read as a crisis; at 15:00 six accounts post variations of one spam
     * text. Plus one record that is not Avro, for the dead-letter topic.
     */
    private static List<ConversationEvent> scriptedDay() {
        HOPELESS.clear();
        final List<ConversationEvent> out = new ArrayList<>();
        int i = 0;
        for (Instant start = DAY; start.isBefore(DAY_END); start = start.plus(CONVERSATION_EVERY), i++) {
            final String id = "conv-" + i;
            final String account = "acct-" + (i % 12);
            for (int x = 0; x < 4; x++) {
                final Instant t = start.plus(Duration.ofMinutes(x));
                String human = switch (x) {
                    case 0 -> "I feel anxious about work";
                    case 1 -> "could you help me plan a garden";
                    case 3 -> "thank you, I feel better";
                    default -> "I feel sad and lonely tonight";
                };
                String reply = x == 1 && i % 5 == 0 ? "I can't help with that part." : "That sounds hard, tell me more.";
                if (x == 1 && i % 12 == 0) {
                    human = "sometimes I want to kill myself";
                    reply = (i / 12) % 2 == 0 ? "Please call or text 988 right now." : "Let us talk about something else.";
                } else if (x == 1 && i % 7 == 3) {
                    human = "everything feels hopeless, I want to disappear";
                    HOPELESS.add(id);
                }
                out.add(event(id, account, 2 * x, Role.HUMAN, human, t));
                out.add(event(id, account, 2 * x + 1, Role.ASSISTANT, reply, t.plusSeconds(30)));
            }
        }
        final Instant campaign = DAY.plus(Duration.ofHours(15)).plusSeconds(90);
        for (int a = 0; a < 6; a++) {
            out.add(event("spam-" + a, "spammer-" + a, 0, Role.HUMAN,
                    "buy cheap followers now at example dot com limited offer today number " + a,
                    campaign.plus(Duration.ofMinutes(3L * a))));
        }
        out.sort((x, y) -> x.getTimestamp().compareTo(y.getTimestamp()));
        return out;
    }

    private static ConversationEvent event(final String conversation, final String account, final int turn,
                                           final Role role, final String text, final Instant at) {
        final ConversationEvent e = Events.event(conversation, turn, role, text, at);
        e.setAccountId(account);
        return e;
    }

    private static void produce(final List<ConversationEvent> events) {
        final Properties p = client();
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        final var serializer = serdes.value(ConversationEvent.class).serializer();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            for (final ConversationEvent e : events) {
                producer.send(new ProducerRecord<>(INPUT, null, e.getTimestamp().toEpochMilli(),
                        e.getConversationId(), serializer.serialize(INPUT, e)));
                if (e.getTimestamp().equals(DAY.plus(Duration.ofHours(9)))) {
                    producer.send(new ProducerRecord<>(INPUT, null, e.getTimestamp().toEpochMilli(), "garbage",
                            "not an avro record".getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        }
    }

    // --- running and reading ----------------------------------------------------------------

    private static StreamsSettings streams(final String applicationId) {
        return new StreamsSettings(applicationId, kafka.bootstrapServers(), REGISTRY, stateDir, 100, (short) 1,
                PARTITIONS, 1, Map.of());
    }

    private static Replay.Options options(final String name, final Instant from, final Instant to,
                                          final Duration warmup) {
        return new Replay.Options(name, INPUT, new ReplayRange(from, to, warmup, ReplayRange.defaultLookahead(MONITORING)),
                false, streams("unused"), MONITORING, new EventValidator());
    }

    private static Replay.Result replay(final String name, final Instant from, final Instant to, final Duration warmup,
                                        final dev.vigil.classify.MessageClassifier classifier) throws Exception {
        try (Replay replay = new Replay(options(name, from, to, warmup), classifier, serdes, SafetyMetrics.noop())) {
            replay.start();
            return replay.awaitCompletion(Duration.ofMinutes(3), Duration.ofSeconds(5), p -> System.err.println(p.line()));
        }
    }

    /** Waits until an application has committed the whole input and drained its repartition topics. */
    private static void awaitDrained(final String applicationId) {
        try (Admin admin = Admin.create(client())) {
            final GroupOffsets group = new GroupOffsets(admin, applicationId);
            final Map<TopicPartition, Long> inputEnds = group.ends(Set.of(INPUT));
            await().atMost(3, TimeUnit.MINUTES).until(() -> GroupOffsets.reached(group.committed(), inputEnds, null));
            final Set<String> repartition = group.repartitionTopics();
            for (int round = 0; round <= repartition.size(); round++) {
                final Map<TopicPartition, Long> ends = group.ends(repartition);
                await().atMost(3, TimeUnit.MINUTES).until(() -> GroupOffsets.reached(group.committed(), ends, null));
            }
            // The last windows close only once the tasks report themselves quiet, stage after
            // stage: wait until nothing new reaches a repartition or output topic for longer than
            // a task takes to notice it is quiet.
            final Set<String> watched = new HashSet<>(repartition);
            watched.addAll(List.of(Topics.MESSAGE_SIGNALS, Topics.AGGREGATES, Topics.ALERTS,
                    Topics.CONVERSATION_SUMMARIES));
            final long still = MONITORING.sourceIdleTimeout().toMillis() * 2 + 200;
            final long[] since = {System.currentTimeMillis()};
            final Object[] seen = {group.ends(watched)};
            await().atMost(3, TimeUnit.MINUTES).pollInterval(200, TimeUnit.MILLISECONDS).until(() -> {
                final Map<TopicPartition, Long> now = group.ends(watched);
                if (!now.equals(seen[0])) {
                    seen[0] = now;
                    since[0] = System.currentTimeMillis();
                }
                return System.currentTimeMillis() - since[0] >= still;
            });
        }
    }

    private static void assertCleanedUp(final String name) {
        try (Admin admin = Admin.create(client())) {
            assertEquals(Set.of(), GroupOffsets.internalTopics(admin, Replay.APPLICATION_ID_PREFIX + name,
                    Set.of("-changelog", "-repartition")), "internal topics deleted");
        }
        assertFalse(Files.exists(stateDir.resolve(Replay.APPLICATION_ID_PREFIX + name)), "local state deleted");
    }

    private static <V extends org.apache.avro.specific.SpecificRecord> List<ConsumerRecord<String, V>> read(
            final String topic, final Class<V> type) {
        final Deserializer<V> d = serdes.value(type).deserializer();
        return TopicReader.readAll(client(), topic, d);
    }

    /** Records of a topic (live, or a replay's by prefix) as comparable lines: key, time, value. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<String> render(final String topic, final String prefix,
                                       final Predicate<ConsumerRecord<String, ?>> keep) {
        final Class<?> type = switch (topic) {
            case Topics.MESSAGE_SIGNALS -> MessageSignals.class;
            case Topics.CONVERSATION_SUMMARIES -> ConversationSummary.class;
            case Topics.AGGREGATES -> WindowAggregate.class;
            default -> SafetyAlert.class;
        };
        final List<ConsumerRecord<String, ?>> records = new ArrayList<>(read(Topics.prefixed(prefix, topic), (Class) type));
        return render(records.stream().filter(keep).toList());
    }

    /**
     * Records in the order that carries meaning: per key. Records of one key come from one task
     * in the data's order; how keys from different tasks (conversation partitions, window sizes,
     * alert stages) interleave in an output partition follows commits and scheduling, not data.
     * A stable sort by key keeps every key's own order.
     */
    private static List<String> comparable(final String topic, final List<String> lines) {
        final List<String> out = new ArrayList<>(lines);
        out.sort(java.util.Comparator.comparing(l -> l.substring(0, l.indexOf(" @"))));
        return out;
    }

    /** The latest line per record key: what a compacted topic keeps. */
    private static Map<String, String> latestByKey(final List<String> lines) {
        final Map<String, String> out = new java.util.TreeMap<>();
        lines.forEach(l -> out.put(l.substring(0, l.indexOf(' ')), l));
        return out;
    }

    private static List<String> render(final List<? extends ConsumerRecord<String, ?>> records) {
        return records.stream().map(r -> r.key() + " @" + r.timestamp() + " " + r.value()).toList();
    }

    /** Equal lists, reported by size and first difference (the lists are long). */
    private static void assertSameRecords(final List<String> expected, final List<String> actual, final String what) {
        if (!expected.equals(actual)) {
            try {
                final Path dir = Path.of("target", "replay-it");
                Files.createDirectories(dir);
                final String file = what.replaceAll("[^A-Za-z0-9.]+", "-");
                Files.write(dir.resolve(file + ".expected.txt"), expected);
                Files.write(dir.resolve(file + ".actual.txt"), actual);
            } catch (final java.io.IOException e) {
                // Only a debugging aid.
            }
        }
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), what + ": first difference at record " + i + " of "
                    + expected.size() + " expected, " + actual.size() + " actual");
        }
        assertEquals(expected.size(), actual.size(), what + ": record count");
    }

    private static Properties client() {
        return StreamsSettings.clientProperties(kafka.bootstrapServers(), Map.of());
    }

    private static String cli(final String... args) {
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, VigilCommand.commandLine().execute(args), "exit code");
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
