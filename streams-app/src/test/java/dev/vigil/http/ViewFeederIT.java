package dev.vigil.http;

import dev.vigil.testing.InJvmKafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.config.Topics;
import dev.vigil.metrics.SafetyTrafficFixture;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read-only views fed from the real topics: committed alerts and aggregates show up on
 * {@code /api/alerts} and {@code /api/aggregates}; an alert from an aborted transaction never
 * does; a suppressed cell shows no counts.
 */
class ViewFeederIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldServeCommittedAlertsAndAggregatesFromTheTopics() throws Exception {
        try (InJvmKafka kafka = InJvmKafka.start()) {
            kafka.createTopics(2, Topics.ALERTS, Topics.AGGREGATES);
            final VigilSerdes serdes = VigilSerdes.registry(SchemaRegistries.forUrl("mock://views-it", Map.of()));
            final Instant now = Instant.now();
            final SafetyAlert committed = SafetyTrafficFixture.alert(AlertType.MISSED_REFERRAL, Severity.CRITICAL,
                    "conv-committed", now);
            final SafetyAlert aborted = SafetyTrafficFixture.alert(AlertType.MISSED_REFERRAL, Severity.CRITICAL,
                    "conv-aborted", now);
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                    kafka.bootstrapServers(), "transactional.id", "views-it"), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                p.initTransactions();
                p.beginTransaction();
                p.send(new ProducerRecord<>(Topics.ALERTS, serdes.value(SafetyAlert.class).serializer()
                        .serialize(Topics.ALERTS, aborted)));
                p.flush();
                p.abortTransaction();
                p.beginTransaction();
                p.send(new ProducerRecord<>(Topics.ALERTS, serdes.value(SafetyAlert.class).serializer()
                        .serialize(Topics.ALERTS, committed)));
                for (final WindowAggregate a : new WindowAggregate[] {cell(now, "counseling", false, 30L),
                        cell(now, "sexual_roleplay", true, null)}) {
                    p.send(new ProducerRecord<>(Topics.AGGREGATES, serdes.value(WindowAggregate.class).serializer()
                            .serialize(Topics.AGGREGATES, a)));
                }
                p.commitTransaction();
            }
            final RecentAlerts alerts = new RecentAlerts();
            final CurrentAggregates aggregates = new CurrentAggregates();
            try (ViewFeeder feeder = ViewFeeder.start(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    Topics.ALERTS, Topics.AGGREGATES, serdes, alerts, aggregates, Duration.ofHours(1));
                 VigilHttpServer http = VigilHttpServer.start("127.0.0.1", 0, () -> "", () -> KafkaStreams.State.RUNNING,
                         alerts, aggregates)) {
                final HttpClient client = HttpClient.newHttpClient();
                final String base = "http://127.0.0.1:" + http.port();
                await("views filled from the topics").atMost(Duration.ofSeconds(60)).until(() ->
                        alerts.snapshot().size() == 1 && aggregates.snapshot().size() == 2);
                final JsonNode alertList = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(base
                        + "/api/alerts")).build(), HttpResponse.BodyHandlers.ofString()).body()).get("alerts");
                assertEquals(1, alertList.size());
                assertEquals("conv-committed", alertList.get(0).get("subject").asText(),
                        "an aborted alert is never shown");
                final JsonNode cells = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(base
                        + "/api/aggregates")).build(), HttpResponse.BodyHandlers.ofString()).body()).get("aggregates");
                assertEquals(2, cells.size());
                for (final JsonNode c : cells) {
                    if (c.get("value").asText().equals("sexual_roleplay")) {
                        assertTrue(c.get("suppressed").asBoolean());
                        assertFalse(c.has("conversations"));
                    } else {
                        assertEquals(30, c.get("distinct_accounts").asLong());
                    }
                }
            }
        }
    }

    /**
     * A restarted {@code vigil run}: every partition already holds records within the lookback.
     * (The feeder used to seek all of them to their end then, and showed nothing.)
     */
    @Test
    void shouldShowWhatWasWrittenBeforeItStartedWhenEveryPartitionHasRecords() throws Exception {
        try (InJvmKafka kafka = InJvmKafka.start()) {
            kafka.createTopics(1, Topics.ALERTS, Topics.AGGREGATES);
            final VigilSerdes serdes = VigilSerdes.registry(SchemaRegistries.forUrl("mock://views-restart-it", Map.of()));
            final Instant now = Instant.now();
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                    kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(Topics.ALERTS, serdes.value(SafetyAlert.class).serializer().serialize(
                        Topics.ALERTS, SafetyTrafficFixture.alert(AlertType.MISSED_REFERRAL, Severity.CRITICAL,
                                "conv-before-restart", now)))).get();
                p.send(new ProducerRecord<>(Topics.AGGREGATES, serdes.value(WindowAggregate.class).serializer()
                        .serialize(Topics.AGGREGATES, cell(now, "counseling", false, 30L)))).get();
            }
            final RecentAlerts alerts = new RecentAlerts();
            final CurrentAggregates aggregates = new CurrentAggregates();
            try (ViewFeeder feeder = ViewFeeder.start(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    Topics.ALERTS, Topics.AGGREGATES, serdes, alerts, aggregates, Duration.ofHours(1))) {
                await("views filled from records older than the feeder").atMost(Duration.ofSeconds(60))
                        .until(() -> alerts.snapshot().size() == 1 && aggregates.snapshot().size() == 1);
                assertEquals("conv-before-restart", alerts.snapshot().get(0).getSubject());
            }
        }
    }

    private static WindowAggregate cell(final Instant start, final String value, final boolean suppressed,
                                        final Long accounts) {
        return WindowAggregate.newBuilder().setWindowStart(start).setWindowEnd(start.plusSeconds(300))
                .setWindowSize("PT5M").setDimension("affective_category").setValue(value).setSuppressed(suppressed)
                .setK(10).setDistinctAccounts(accounts).setConversations(accounts == null ? null : accounts * 2)
                .setClassifierVersion("test").build();
    }
}
