package dev.vigil.it;

import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilApp;
import dev.vigil.app.VigilTopics;
import dev.vigil.classify.Classifiers;
import dev.vigil.cli.VigilCommand;
import dev.vigil.config.Topics;
import dev.vigil.ingest.EventValidator;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.ops.InJvmKafka;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.EmbeddedSchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.topology.MonitoringConfig;
import dev.vigil.topology.VigilTopology;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * End to end on a real broker (Kafka's in-JVM KRaft test kit) and the embedded schema registry
 * over HTTP, with the shipped classifier: a scripted scenario loaded with {@code vigil produce}
 * and read back as a downstream consumer would (read_committed).
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
        VigilTopics.ensure(StreamsSettings.clientProperties(bootstrap, Map.of()),
                VigilTopics.topics(inputTopic, MonitoringConfig.defaults(), PARTITIONS, (short) 1));
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
        try (InJvmKafka kafka = InJvmKafka.startLikeEmbedded()) {
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
                assertEquals(Set.of("missed-referral/conversation/" + id + "-crisis-missed/turn-0"),
                        keys.get(AlertType.MISSED_REFERRAL), "missed referral, alerts: " + keys);
                assertEquals(Set.of("partial-referral/conversation/" + id + "-crisis-partial/turn-0"),
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
                assertEquals(scripted, hour.getMessages(), "messages in the scenario hour");
                assertEquals(3L + Scenario.CAMPAIGN_ACCOUNTS + Scenario.ORDINARY_CONVERSATIONS, hour.getDistinctAccounts());
                assertEquals(3L, hour.getCrisisDisclosures(), "crisis disclosures " + hour.getCrisisByLevel());
                assertEquals(1L, hour.getMissedReferrals());
                assertEquals(1L, hour.getPartialReferrals());
                assertTrue(aggregates.stream().anyMatch(WindowAggregate::getSuppressed),
                        "the closing day's cells (under k accounts) are published suppressed");
                aggregates.stream().filter(WindowAggregate::getSuppressed)
                        .forEach(a -> assertEquals(null, a.getMessages(), "a suppressed cell carries no counts"));
            }
        }
        System.out.printf("EndToEndIT read-back took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    static <T extends org.apache.avro.specific.SpecificRecord> List<T> decode(final List<ConsumerRecord<byte[], byte[]>> records, final Class<T> type, final VigilSerdes serdes) {
        final var d = serdes.value(type).deserializer();
        return records.stream().map(r -> d.deserialize(r.topic(), r.value())).toList();
    }
}
