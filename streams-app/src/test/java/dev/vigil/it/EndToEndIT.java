package dev.vigil.it;

import dev.vigil.testing.InJvmKafka;

import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilApp;
import dev.vigil.app.VigilTopics;
import dev.vigil.classify.Classifiers;
import dev.vigil.cli.VigilCommand;
import dev.vigil.config.Topics;
import dev.vigil.ingest.EventValidator;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.EmbeddedSchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.VigilTopology;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on a real broker (Kafka's in-JVM KRaft test kit, formatted like the embedded one)
 * and the embedded schema registry over HTTP, with the shipped classifier: a scripted
 * {@link Scenario} loaded with {@code vigil produce} and read back as a downstream consumer would
 * (read_committed); {@code vigil run} as a child process ({@link VigilProcess}) killed with
 * SIGKILL mid-stream and restarted; and a privacy sweep of every topic, log, file, metric and
 * HTTP response for marker phrases. The end of input is deterministic: the day-later closing
 * events are produced only after the scenario was consumed, so they close every window and
 * conversation however the stream was cut.
 */
class EndToEndIT {
    static final int PARTITIONS = 3;

    private static EmbeddedSchemaRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startRegistry() {
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    static VigilSerdes serdes() {
        return VigilSerdes.registry(SchemaRegistries.forUrl(registry.url(), Map.of()));
    }

    static String registryUrl() {
        return registry.url();
    }

    /** Loads a JSON-lines file with {@code vigil produce}; fails unless it exits 0. */
    static void produce(final String bootstrap, final Path jsonl, final String topic) {
        final int exit = VigilCommand.commandLine().execute("produce", "--bootstrap-servers", bootstrap,
                "--schema-registry-url", registry.url(), "--input", jsonl.toString(), "--topic", topic);
        assertEquals(0, exit, "vigil produce exit code");
    }

    static void createTopics(final String bootstrap, final String inputTopic) {
        createTopics(bootstrap, inputTopic, PARTITIONS);
    }

    static void createTopics(final String bootstrap, final String inputTopic, final int partitions) {
        VigilTopics.ensure(StreamsSettings.clientProperties(bootstrap, Map.of()),
                VigilTopics.topics(inputTopic, MonitoringConfig.defaults(), partitions, (short) 1));
    }

    static List<String> outputTopics() {
        final MonitoringConfig m = MonitoringConfig.defaults();
        return List.of(m.topic(Topics.MESSAGE_SIGNALS), m.topic(Topics.CONVERSATION_SUMMARIES), m.topic(Topics.AGGREGATES),
                m.topic(Topics.ALERTS));
    }

    @Test
    void shouldRaiseTheScriptedAlertsAndPublishAggregatesForAProducedScenario() throws Exception {
        final long started = System.nanoTime();
        final String id = "readback";
        final String input = "events-" + id;
        final List<ConversationEvent> events = new ArrayList<>(Scenario.scripted(id, UnaryOperator.identity()));
        final Path jsonl = Scenario.writeJsonl(tmp.resolve("scenario.jsonl"), events, List.of());
        final List<ConversationEvent> closing = Scenario.closing(id, PARTITIONS);
        final Path closingJsonl = Scenario.writeJsonl(tmp.resolve("closing.jsonl"), closing, List.of());
        events.addAll(closing);
        try (InJvmKafka kafka = InJvmKafka.start()) {
            final String bootstrap = kafka.bootstrapServers();
            createTopics(bootstrap, input);
            produce(bootstrap, jsonl, input);
            final MonitoringConfig monitoring = MonitoringConfig.defaults();
            final StreamsSettings settings = new StreamsSettings("vigil-e2e-" + id, bootstrap, registry.url(),
                    tmp.resolve("state"), 100, (short) 1, PARTITIONS, 1, Map.of());
            try (VigilApp app = new VigilApp(VigilTopology.build(new VigilTopology.Settings(input,
                    new EventValidator(EventValidator.DEFAULT_MAX_TEXT_CHARS), monitoring),
                    Classifiers.standard(), serdes(), SafetyMetrics.noop()), settings)) {
                app.start();
                assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "Kafka Streams reached RUNNING");
                TopicRecords.awaitConsumed(bootstrap, settings.applicationId(), input, Duration.ofSeconds(120));
                TopicRecords.readWhenQuiet(bootstrap, outputTopics(), Duration.ofSeconds(3), Duration.ofSeconds(120));
                // Only now the day-later events: had they been processed before the scenario on
                // another partition, they would have closed its windows early.
                produce(bootstrap, closingJsonl, input);
                TopicRecords.awaitConsumed(bootstrap, settings.applicationId(), input, Duration.ofSeconds(120));
                final Map<String, List<ConsumerRecord<byte[], byte[]>>> out =
                        TopicRecords.readWhenQuiet(bootstrap, outputTopics(), Duration.ofSeconds(3), Duration.ofSeconds(120));
                final VigilSerdes serdes = serdes();

                final List<MessageSignals> signals = decode(out.get(monitoring.topic(Topics.MESSAGE_SIGNALS)), MessageSignals.class, serdes);
                final Set<String> seen = signals.stream().map(MessageSignals::getEventId).collect(Collectors.toSet());
                assertEquals(events.size(), signals.size(), "one signal per event; dead letters "
                        + TopicRecords.readAll(bootstrap, input + ".dlq", false).stream()
                                .map(r -> dev.vigil.ingest.DeadLetters.header(r.headers(), dev.vigil.ingest.DeadLetters.REASON)).toList()
                        + ", uncommitted signals " + TopicRecords.readAll(bootstrap, monitoring.topic(Topics.MESSAGE_SIGNALS), false).size()
                        + "; missing "
                        + events.stream().map(ConversationEvent::getEventId).filter(e -> !seen.contains(e)).toList());
                assertEquals(events.stream().map(ConversationEvent::getEventId).collect(Collectors.toSet()),
                        signals.stream().map(MessageSignals::getEventId).collect(Collectors.toSet()));

                final List<SafetyAlert> alerts = decode(out.get(monitoring.topic(Topics.ALERTS)), SafetyAlert.class, serdes);
                final Map<AlertType, Set<String>> keys = alerts.stream().collect(Collectors.groupingBy(SafetyAlert::getType,
                        TreeMap::new, Collectors.mapping(SafetyAlert::getDedupKey, Collectors.toSet())));
                // Alerts name conversations by pseudonym (the key is the deployment's).
                final dev.vigil.privacy.PublishedIds ids = monitoring.publishedIds();
                assertEquals(Set.of("missed-referral/conversation/" + ids.conversation(id + "-crisis-missed") + "/turn-0"),
                        keys.get(AlertType.MISSED_REFERRAL), "missed referral, alerts: " + keys);
                assertEquals(Set.of("partial-referral/conversation/" + ids.conversation(id + "-crisis-partial") + "/turn-0"),
                        keys.get(AlertType.PARTIAL_REFERRAL), "partial referral, alerts: " + keys);
                assertEquals(1, keys.getOrDefault(AlertType.COORDINATED_ABUSE, Set.of()).size(),
                        "the campaign alerts under one dedup key, alerts: " + keys);
                assertEquals(Set.of(AlertType.MISSED_REFERRAL, AlertType.PARTIAL_REFERRAL, AlertType.COORDINATED_ABUSE),
                        keys.keySet(), "no other alert (the referred disclosure and ordinary traffic raise none)");
                final SafetyAlert campaign = alerts.stream().filter(a -> a.getType() == AlertType.COORDINATED_ABUSE)
                        .reduce((a, b) -> b).orElseThrow();
                assertEquals(String.valueOf(Scenario.CAMPAIGN_ACCOUNTS), campaign.getEvidence().get("accounts"),
                        "campaign evidence " + campaign.getEvidence());
                assertEquals(1, alerts.stream().filter(a -> a.getType() == AlertType.MISSED_REFERRAL).count(),
                        "the missed referral alerts once");

                final List<ConversationSummary> summaries =
                        decode(out.get(monitoring.topic(Topics.CONVERSATION_SUMMARIES)), ConversationSummary.class, serdes);
                final long ended = summaries.stream().filter(ConversationSummary::getEnded).count();
                assertEquals(3 + Scenario.CAMPAIGN_ACCOUNTS + Scenario.ORDINARY_CONVERSATIONS, ended,
                        "every scripted conversation ended once (the closing ones are still open)");

                final List<WindowAggregate> aggregates = decode(out.get(monitoring.topic(Topics.AGGREGATES)), WindowAggregate.class, serdes);
                final WindowAggregate hour = aggregates.stream()
                        .filter(a -> a.getWindowSize().equals("PT1H") && a.getDimension().equals("all")
                                && a.getWindowStart().equals(Scenario.T0))
                        .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no all-cell for the first hour: " + aggregates.size()));
                final long scripted = events.size() - PARTITIONS;
                assertEquals(false, hour.getSuppressed());
                // An hour is the sum of the 5-minute all-cells published inside it (what a suppressed
                // one held is left out, or subtraction would give it away).
                final List<WindowAggregate> parts = aggregates.stream()
                        .filter(a -> a.getWindowSize().equals("PT5M") && a.getDimension().equals("all")
                                && !a.getWindowStart().isBefore(Scenario.T0)
                                && a.getWindowStart().isBefore(Scenario.T0.plus(java.time.Duration.ofHours(1))))
                        .toList();
                final List<WindowAggregate> published = parts.stream().filter(a -> !a.getSuppressed()).toList();
                assertEquals(published.stream().mapToLong(WindowAggregate::getMessages).sum(), hour.getMessages(),
                        "the hour is the sum of its published 5-minute cells: " + parts);
                assertEquals(published.stream().mapToLong(WindowAggregate::getCrisisDisclosures).sum(),
                        hour.getCrisisDisclosures(), "crisis disclosures " + hour.getCrisisByLevel());
                assertEquals(published.stream().mapToLong(WindowAggregate::getMissedReferrals).sum(),
                        hour.getMissedReferrals());
                assertEquals(published.stream().mapToLong(WindowAggregate::getPartialReferrals).sum(),
                        hour.getPartialReferrals());
                assertTrue(hour.getMessages() <= scripted, "no message counted twice");
                if (parts.size() == published.size()) {
                    assertEquals(scripted, hour.getMessages(), "no 5-minute cell suppressed: every scripted message");
                }
                assertTrue(hour.getDistinctAccounts() <= 3L + Scenario.CAMPAIGN_ACCOUNTS + Scenario.ORDINARY_CONVERSATIONS);
                assertTrue(aggregates.stream().anyMatch(WindowAggregate::getSuppressed),
                        "the closing day's cells (under k accounts) are published suppressed");
                aggregates.stream().filter(WindowAggregate::getSuppressed)
                        .forEach(a -> assertEquals(null, a.getMessages(), "a suppressed cell carries no counts"));
            }
        }
        System.out.printf("EndToEndIT read-back took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** Arguments of a child {@code vigil run} joining {@code bootstrap} and the test's registry. */
    static List<String> runArgs(final String bootstrap, final Path dataDir, final String applicationId, final String input,
                                final int partitions) {
        return List.of("--bootstrap-servers", bootstrap, "--schema-registry-url", registry.url(),
                "--data-dir", dataDir.toString(), "--application-id", applicationId, "--input-topic", input,
                "--partitions", String.valueOf(partitions), "--replication-factor", "1", "--http-host", "127.0.0.1",
                "--http-port", "0");
    }

    @Test
    void shouldGiveExactlyTheOutputsOfAnUninterruptedRunWhenKilledAndRestartedMidStream() throws Exception {
        final long started = System.nanoTime();
        // Three input partitions, as `vigil run` creates by default: the pre-loaded input is then
        // processed at partition-dependent speeds (and cut at a different point by the kill), and
        // the windows still close on event-time progress only, so both runs agree byte for byte.
        final int partitions = Integer.getInteger("vigil.it.crash.partitions", PARTITIONS);
        final CrashScenario scenario = crashScenario(partitions);
        final List<ConversationEvent> main = scenario.events();
        final Path mainJsonl = scenario.mainJsonl();
        final Path closingJsonl = scenario.closingJsonl();
        final String input = CRASH_INPUT;
        final String signalsTopic = MonitoringConfig.defaults().topic(Topics.MESSAGE_SIGNALS);

        final Map<String, List<ConsumerRecord<byte[], byte[]>>> reference = reference(partitions, mainJsonl, closingJsonl);
        final long referenceSeconds = (System.nanoTime() - started) / 1_000_000_000L;

        final Map<String, List<ConsumerRecord<byte[], byte[]>>> crashed;
        try (InJvmKafka kafka = InJvmKafka.start()) {
            final String bootstrap = kafka.bootstrapServers();
            createTopics(bootstrap, input, partitions);
            produce(bootstrap, mainJsonl, input);
            final Path out = tmp.resolve("crashed.out");
            final List<String> args = runArgs(bootstrap, tmp.resolve("crashed"), "vigil-crashed", input, partitions);
            final int atKill;
            try (VigilProcess first = VigilProcess.run(out, Map.of(), args)) {
                final long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (TopicRecords.readAll(bootstrap, signalsTopic, true).size() < main.size() / 5) {
                    assertTrue(System.nanoTime() < deadline && first.isAlive(), "vigil run made no progress:\n" + first.output());
                    Thread.sleep(100);
                }
                first.kill();
                atKill = TopicRecords.readAll(bootstrap, signalsTopic, true).size();
            }
            assertTrue(atKill > 0 && atKill < main.size(), "killed mid-stream: " + atKill + " of " + main.size()
                    + " signals committed at the kill");
            try (VigilProcess second = VigilProcess.run(out, Map.of(), args)) {
                crashed = finish(bootstrap, "vigil-crashed", input, closingJsonl);
                second.stop();
            }
            System.out.printf("EndToEndIT crash: killed after %d of %d signals were committed%n", atKill, main.size());
        }

        assertEquals(main.size() + partitions, reference.get(signalsTopic).size(), "one signal per event in the reference run");
        for (final String topic : outputTopics()) {
            assertTrue(!reference.get(topic).isEmpty(), topic + " has output");
            assertEquals(TopicRecords.multiset(reference.get(topic)), TopicRecords.multiset(crashed.get(topic)),
                    topic + ": the same records, each as often, after kill -9 and restart; differences "
                            + TopicRecords.difference(reference.get(topic), crashed.get(topic)));
            assertEquals(TopicRecords.byKey(reference.get(topic)), TopicRecords.byKey(crashed.get(topic)),
                    topic + ": the same values per key, in the same order");
        }
        System.out.printf("EndToEndIT crash/restart took %.1f s (reference run %d s); records %s%n",
                (System.nanoTime() - started) / 1e9, referenceSeconds, TopicRecords.sizes(reference));
    }

    private static final String CRASH_INPUT = "events-crash";

    /** The crash and scale-out scenario: its events, and its main and closing input files. */
    private record CrashScenario(List<ConversationEvent> events, Path mainJsonl, Path closingJsonl) {
    }

    /** The scripted conversations and 40 minutes of simulated traffic, then the events that close every partition. */
    private CrashScenario crashScenario(final int partitions) throws Exception {
        final List<ConversationEvent> main = new ArrayList<>(Scenario.scripted("crash", UnaryOperator.identity()));
        main.addAll(Scenario.simulated("crash", 1.0, Duration.ofMinutes(40)));
        return new CrashScenario(main, Scenario.writeJsonl(tmp.resolve("main.jsonl"), main, List.of()),
                Scenario.writeJsonl(tmp.resolve("closing.jsonl"), Scenario.closing("crash", partitions), List.of()));
    }

    /** Outputs of one uninterrupted instance on the crash scenario: what the crash and scale-out runs must equal. */
    private static final Map<Integer, Map<String, List<ConsumerRecord<byte[], byte[]>>>> REFERENCES = new java.util.HashMap<>();

    private Map<String, List<ConsumerRecord<byte[], byte[]>>> reference(final int partitions, final Path mainJsonl,
                                                                       final Path closingJsonl) throws Exception {
        synchronized (REFERENCES) {
            if (!REFERENCES.containsKey(partitions)) {
                try (InJvmKafka kafka = InJvmKafka.start()) {
                    final String bootstrap = kafka.bootstrapServers();
                    createTopics(bootstrap, CRASH_INPUT, partitions);
                    produce(bootstrap, mainJsonl, CRASH_INPUT);
                    try (VigilProcess vigil = VigilProcess.run(tmp.resolve("reference.out"), Map.of(),
                            runArgs(bootstrap, tmp.resolve("reference"), "vigil-reference", CRASH_INPUT, partitions))) {
                        REFERENCES.put(partitions, finish(bootstrap, "vigil-reference", CRASH_INPUT, closingJsonl));
                        vigil.stop();
                    }
                }
            }
            return REFERENCES.get(partitions);
        }
    }

    @Test
    void shouldGiveTheOutputsOfOneInstanceWhenTwoShareTheWorkAndOneIsKilled() throws Exception {
        final long started = System.nanoTime();
        final int partitions = PARTITIONS;
        final CrashScenario scenario = crashScenario(partitions);
        final List<ConversationEvent> main = scenario.events();
        final Path mainJsonl = scenario.mainJsonl();
        final Path closingJsonl = scenario.closingJsonl();
        final String input = CRASH_INPUT;
        final String signalsTopic = MonitoringConfig.defaults().topic(Topics.MESSAGE_SIGNALS);
        final Map<String, List<ConsumerRecord<byte[], byte[]>>> reference = reference(partitions, mainJsonl, closingJsonl);

        final Map<String, List<ConsumerRecord<byte[], byte[]>>> scaled;
        try (InJvmKafka kafka = InJvmKafka.start()) {
            final String bootstrap = kafka.bootstrapServers();
            createTopics(bootstrap, input, partitions);
            produce(bootstrap, mainJsonl, input);
            // Two instances, one application id, each with its own state folder: Kafka Streams
            // spreads the tasks of every sub-topology over them.
            final String app = "vigil-scale-out";
            final int atKill;
            try (VigilProcess a = VigilProcess.run(tmp.resolve("a.out"), Map.of(),
                         runArgs(bootstrap, tmp.resolve("instance-a"), app, input, partitions));
                 VigilProcess b = VigilProcess.run(tmp.resolve("b.out"), Map.of(),
                         runArgs(bootstrap, tmp.resolve("instance-b"), app, input, partitions))) {
                final long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (members(kafka, app) < 2 || TopicRecords.readAll(bootstrap, signalsTopic, true).size() < main.size() / 5) {
                    assertTrue(System.nanoTime() < deadline && a.isAlive() && b.isAlive(),
                            "two instances did not both join and make progress:\n" + a.output() + "\n" + b.output());
                    Thread.sleep(100);
                }
                assertEquals(2, members(kafka, app), "both instances hold tasks when one is killed");
                a.kill();
                atKill = TopicRecords.readAll(bootstrap, signalsTopic, true).size();
                assertTrue(atKill < main.size(), "killed mid-stream: " + atKill + " of " + main.size());
                // The survivor takes over the killed instance's tasks (after its session times out)
                // and finishes the stream.
                scaled = finish(bootstrap, app, input, closingJsonl);
                b.stop();
            }
            System.out.printf("EndToEndIT scale-out: one of two instances killed after %d of %d signals were committed%n",
                    atKill, main.size());
        }
        assertEquals(main.size() + partitions, scaled.get(signalsTopic).size(), "one signal per event");
        for (final String topic : outputTopics()) {
            assertEquals(TopicRecords.multiset(reference.get(topic)), TopicRecords.multiset(scaled.get(topic)),
                    topic + ": the same records, each as often, as one uninterrupted instance; differences "
                            + TopicRecords.difference(reference.get(topic), scaled.get(topic)));
            assertEquals(TopicRecords.byKey(reference.get(topic)), TopicRecords.byKey(scaled.get(topic)),
                    topic + ": the same values per key, in the same order");
        }
        System.out.printf("EndToEndIT scale-out took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** Members of the application's consumer group: one per stream thread of each live instance. */
    private static int members(final InJvmKafka kafka, final String applicationId) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
            return admin.describeConsumerGroups(List.of(applicationId)).all().get().get(applicationId).members().size();
        } catch (final java.util.concurrent.ExecutionException notYet) {
            if (notYet.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return 0; // no instance has joined yet
            }
            throw notYet;
        }
    }

    @Test
    void shouldKeepMarkerPhrasesOutOfEveryOutputLogMetricAndHttpResponse() throws Exception {
        final long started = System.nanoTime();
        final int partitions = 2;
        final java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        final List<String> markers = new ArrayList<>();
        // Every text carries its own marker, inside the sentence, in human and assistant messages,
        // crisis texts and the campaign alike.
        final UnaryOperator<String> mark = text -> {
            final String m = "zq7marker" + (3141 + n.getAndIncrement());
            markers.add(m);
            final int space = text.indexOf(' ');
            return space < 0 ? text + " " + m : text.substring(0, space) + " " + m + text.substring(space);
        };
        final List<ConversationEvent> events = new ArrayList<>(Scenario.scripted("privacy", mark));
        final String badMarker = "zq7marker" + 99991;
        final String bad = dev.vigil.ingest.JsonEvents.toJson(Scenario.event("privacy-bad", "acct-privacy-bad", 0,
                dev.vigil.schema.Role.HUMAN, "Please forward this " + badMarker + " to the moderators", Scenario.T0.plusSeconds(700)))
                .replace("\"HUMAN\"", "\"MODERATOR\"");
        final Path jsonl = Scenario.writeJsonl(tmp.resolve("marked.jsonl"), events, List.of(bad));
        final Path closingJsonl = Scenario.writeJsonl(tmp.resolve("closing.jsonl"), Scenario.closing("privacy", partitions), List.of());
        final String input = "events-privacy";
        final Path dataDir = tmp.resolve("privacy-data");
        final Path out = tmp.resolve("privacy.out");
        try (InJvmKafka kafka = InJvmKafka.start()) {
            final String bootstrap = kafka.bootstrapServers();
            createTopics(bootstrap, input, partitions);
            produce(bootstrap, jsonl, input);
            final Map<String, String> http = new TreeMap<>();
            // DEBUG: the strictest setting an operator could choose must not leak text either.
            try (VigilProcess vigil = VigilProcess.run(out, Map.of("VIGIL_LOG_LEVEL", "DEBUG"),
                    runArgs(bootstrap, dataDir, "vigil-privacy", input, partitions))) {
                finish(bootstrap, "vigil-privacy", input, closingJsonl);
                final String base = baseUrl(vigil);
                final java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
                for (final String path : List.of("/metrics", "/api/alerts", "/api/aggregates", "/health/live", "/health/ready")) {
                    final var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    http.put(path, response.statusCode() + " " + response.headers().map() + " " + response.body());
                }
                vigil.stop();
            }
            assertTrue(http.get("/metrics").contains("vigil_"), "the scrape has Vigil's metrics");

            // Not vacuous: the markers are in the input, and the bad record's marker in the DLQ.
            final String inputText = text(TopicRecords.readAll(bootstrap, input, false));
            assertTrue(markers.stream().allMatch(inputText::contains), "every marker is in the input topic");
            assertTrue(text(TopicRecords.readAll(bootstrap, input + ".dlq", false)).contains(badMarker),
                    "the bad record, marker and all, is in the dead-letter topic");

            final List<String> topics;
            try (org.apache.kafka.clients.admin.Admin admin = kafka.admin()) {
                topics = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                        .names().get().stream().sorted().toList();
            }
            final List<String> checked = new ArrayList<>();
            for (final String topic : topics) {
                if (topic.equals(input) || topic.equals(input + ".dlq")) {
                    continue;
                }
                final List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(bootstrap, topic, false);
                assertNoMarker(markers, badMarker, "topic " + topic, text(records));
                checked.add(topic + "=" + records.size());
            }
            for (final String topic : outputTopics()) {
                assertTrue(checked.stream().anyMatch(c -> c.startsWith(topic + "=") && !c.endsWith("=0")), topic + " is not empty: " + checked);
            }
            assertTrue(checked.stream().anyMatch(c -> c.startsWith("vigil-privacy-") && c.contains("-changelog=") && !c.endsWith("=0")),
                    "internal changelog topics were checked: " + checked);
            assertTrue(checked.stream().anyMatch(c -> c.startsWith("vigil-privacy-") && c.contains("-repartition=")),
                    "internal repartition topics were checked: " + checked);
            // Everything the process printed and every file it wrote under its data directory
            // (logs, state stores, checkpoints).
            assertNoMarker(markers, badMarker, "process output", Files.readString(out, StandardCharsets.ISO_8859_1));
            try (var files = Files.walk(dataDir)) {
                for (final Path f : files.filter(Files::isRegularFile).toList()) {
                    assertNoMarker(markers, badMarker, "file " + f, new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                }
            }
            for (final var e : http.entrySet()) {
                assertNoMarker(markers, badMarker, "HTTP " + e.getKey(), e.getValue());
            }
            System.out.printf("EndToEndIT privacy took %.1f s; topics checked %s%n", (System.nanoTime() - started) / 1e9, checked);
        }
    }

    private static void assertNoMarker(final List<String> markers, final String badMarker, final String where, final String content) {
        // All markers share a prefix: one search finds any of them, the message names which.
        final int at = content.indexOf("zq7marker");
        if (at >= 0) {
            final String found = content.substring(at, Math.min(content.length(), at + 16));
            throw new AssertionError("marker " + found + " leaked into " + where + " (" + markers.size() + " markers, bad one "
                    + badMarker + "): ..." + content.substring(Math.max(0, at - 200), Math.min(content.length(), at + 200)));
        }
    }

    private static String text(final List<ConsumerRecord<byte[], byte[]>> records) {
        final StringBuilder b = new StringBuilder();
        for (final ConsumerRecord<byte[], byte[]> r : records) {
            if (r.key() != null) {
                b.append(new String(r.key(), StandardCharsets.ISO_8859_1)).append('\n');
            }
            if (r.value() != null) {
                b.append(new String(r.value(), StandardCharsets.ISO_8859_1)).append('\n');
            }
            r.headers().forEach(h -> b.append(h.key()).append('=')
                    .append(h.value() == null ? "" : new String(h.value(), StandardCharsets.ISO_8859_1)).append('\n'));
        }
        return b.toString();
    }

    /** The HTTP base URL {@code vigil run} printed (it was started with --http-port 0). */
    private static String baseUrl(final VigilProcess vigil) throws Exception {
        final java.util.regex.Pattern p = java.util.regex.Pattern.compile("(http://[^\\s]+)/metrics");
        final long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            final var m = p.matcher(vigil.output());
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("vigil run printed no metrics URL:\n" + vigil.output());
    }

    /** Waits for the scenario to be processed, then sends the closing events and reads the outputs. */
    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> finish(final String bootstrap, final String applicationId,
                                                                            final String input, final Path closingJsonl)
            throws Exception {
        TopicRecords.awaitConsumed(bootstrap, applicationId, input, Duration.ofMinutes(4));
        TopicRecords.readWhenQuiet(bootstrap, outputTopics(), Duration.ofSeconds(3), Duration.ofMinutes(2));
        produce(bootstrap, closingJsonl, input);
        TopicRecords.awaitConsumed(bootstrap, applicationId, input, Duration.ofMinutes(2));
        return TopicRecords.readWhenQuiet(bootstrap, outputTopics(), Duration.ofSeconds(3), Duration.ofMinutes(2));
    }

    static <T extends org.apache.avro.specific.SpecificRecord> List<T> decode(final List<ConsumerRecord<byte[], byte[]>> records, final Class<T> type, final VigilSerdes serdes) {
        final var d = serdes.value(type).deserializer();
        return records.stream().map(r -> d.deserialize(r.topic(), r.value())).toList();
    }
}
