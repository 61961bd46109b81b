package dev.vigil.alert.route;

import dev.vigil.testing.InJvmKafka;

import dev.vigil.cli.RouteAlertsCommand;
import dev.vigil.config.Topics;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.metrics.SafetyTrafficFixture;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router against a real broker: alerts in {@code safety.alerts} reach the incident tool once
 * per dedup key, offsets are committed only after delivery, a restart mid-way loses nothing and
 * opens no second incident, and what cannot be delivered lands in the alerts DLQ with the reason.
 */
class AlertRouterIT {
    private static final int ALERTS = 30;
    private static final int STUCK = 11;     // offset of the alert the tool refuses until released
    private static final int REJECTED = 25;  // offset of the alert the tool answers 400 to
    private static InJvmKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = InJvmKafka.start();
        kafka.createTopics(1, Topics.ALERTS, Topics.ALERTS_DLQ);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String key(final int i) {
        return "missed_referral:conv-" + i;
    }

    @Test
    void shouldDeliverEveryAlertOnceCommitOnlyAfterDeliveryAndSurviveARestart() throws Exception {
        final VigilSerdes serdes = VigilSerdes.registry(SchemaRegistries.forUrl("mock://router-it", Map.of()));
        final List<SafetyAlert> alerts = new ArrayList<>();
        final Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            final Serializer<SafetyAlert> ser = serdes.value(SafetyAlert.class).serializer();
            for (int i = 0; i < ALERTS; i++) {
                final SafetyAlert a = SafetyTrafficFixture.alert(AlertType.MISSED_REFERRAL, Severity.CRITICAL,
                        "conv-" + i, t0.plusSeconds(i));
                alerts.add(a);
                producer.send(new ProducerRecord<>(Topics.ALERTS, a.getDedupKey().getBytes(StandardCharsets.UTF_8),
                        ser.serialize(Topics.ALERTS, a))).get();
            }
            // Not registry-framed: must go to the DLQ, not stop the router.
            producer.send(new ProducerRecord<>(Topics.ALERTS, null, "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }

        final AtomicBoolean released = new AtomicBoolean(false);
        try (IncidentReceiver tool = new IncidentReceiver((k, n) -> {
            if (k.equals(key(STUCK)) && !released.get()) {
                return IncidentReceiver.Answer.status(503);
            }
            if (k.equals(key(REJECTED))) {
                return IncidentReceiver.Answer.status(400);
            }
            if (k.equals(key(3)) && n == 1) {
                return IncidentReceiver.Answer.tooManyRequests(1);
            }
            if (k.equals(key(5)) && n == 1) {
                return IncidentReceiver.Answer.slowOk(1500);
            }
            if (k.equals(key(7)) && n <= 2) {
                return IncidentReceiver.Answer.status(502);
            }
            return IncidentReceiver.Answer.ok();
        })) {
            final AlertRouterLoop first = router(serdes, tool);
            final Thread firstThread = new Thread(first, "router-1");
            firstThread.start();
            await("router stuck retrying alert " + STUCK).atMost(Duration.ofSeconds(60))
                    .until(() -> tool.receivedFor(key(STUCK)).size() >= 3);
            assertEquals(STUCK, committed(), "everything before the stuck alert, nothing after it, is committed");
            for (int i = 0; i < STUCK; i++) {
                assertEquals(1, tool.incidentsOpened(key(i)), key(i));
            }
            assertTrue(tool.receivedFor(key(STUCK + 1)).isEmpty(), "alerts are handled in order");

            first.close();
            firstThread.join(10_000);
            assertEquals(STUCK, committed(), "stopping mid-retry commits nothing");

            released.set(true);
            final AlertRouterLoop second = router(serdes, tool);
            final Thread secondThread = new Thread(second, "router-2");
            secondThread.start();
            try {
                await("all records handled and committed").atMost(Duration.ofSeconds(90))
                        .until(() -> committed() == ALERTS + 1);
            } finally {
                second.close();
                secondThread.join(10_000);
            }

            for (int i = 0; i < ALERTS; i++) {
                if (i == REJECTED) {
                    assertEquals(0, tool.incidentsOpened(key(i)));
                    continue;
                }
                assertEquals(1, tool.incidentsOpened(key(i)), "one incident for " + key(i));
            }
            assertEquals(ALERTS - 1, tool.incidentKeys().size());
            assertEquals(2, tool.accepted(key(5)), "the timed-out event and its retry merged by dedup key");
            assertEquals(1, tool.accepted(key(STUCK)), "the restart delivered the stuck alert exactly once");
        }

        final List<ConsumerRecord<byte[], byte[]>> dead = readDlq(2);
        assertEquals(2, dead.size());
        final Map<String, String> rejected = headers(dead.stream().filter(r -> r.key() != null).findFirst().orElseThrow());
        assertEquals("rejected", rejected.get(AlertRouterLoop.HEADER_REASON));
        assertEquals("pagerduty", rejected.get(AlertRouterLoop.HEADER_DESTINATION));
        assertEquals("http 400", rejected.get(AlertRouterLoop.HEADER_DETAIL));
        final Map<String, String> garbage = headers(dead.stream().filter(r -> r.key() == null).findFirst().orElseThrow());
        assertEquals("deserialization_failed", garbage.get(AlertRouterLoop.HEADER_REASON));
    }

    @Test
    void shouldDeliverSignedWebhooksThroughTheRouteAlertsCommandWithTheSecretFromTheEnvironment() throws Exception {
        kafka.createTopics(1, "cli.alerts", "cli.alerts.dlq");
        final VigilSerdes serdes = VigilSerdes.registry(SchemaRegistries.forUrl("mock://router-cli-it", Map.of()));
        final List<SafetyAlert> alerts = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            final Serializer<SafetyAlert> ser = serdes.value(SafetyAlert.class).serializer();
            for (int i = 0; i < 3; i++) {
                final SafetyAlert a = SafetyTrafficFixture.alert(AlertType.COORDINATED_ABUSE, Severity.WARNING,
                        "cluster-" + i, Instant.parse("2026-03-01T10:00:00Z"));
                alerts.add(a);
                producer.send(new ProducerRecord<>("cli.alerts", null, ser.serialize("cli.alerts", a))).get();
            }
        }
        try (IncidentReceiver hook = new IncidentReceiver((k, n) -> n == 1 ? IncidentReceiver.Answer.status(503)
                : IncidentReceiver.Answer.ok())) {
            final RouteAlertsCommand command = new RouteAlertsCommand(Map.of("VIGIL_WEBHOOK_SECRET", "cli-secret"));
            final picocli.CommandLine cl = new picocli.CommandLine(command);
            final Thread t = new Thread(() -> cl.execute("--bootstrap-servers", kafka.bootstrapServers(),
                    "--schema-registry-url", "mock://router-cli-it", "--alerts-topic", "cli.alerts",
                    "--dlq-topic", "cli.alerts.dlq", "--group-id", "router-cli-it", "--http-port", "0",
                    "--webhook-url", hook.uri("/vigil").toString(), "--initial-backoff", "50ms"), "route-alerts-cli");
            t.start();
            try {
                await("three webhooks accepted").atMost(Duration.ofSeconds(60))
                        .until(() -> hook.incidentKeys().size() == 3);
            } finally {
                command.stop();
                t.join(10_000);
            }
            for (final SafetyAlert a : alerts) {
                assertEquals(1, hook.accepted(a.getDedupKey()), a.getDedupKey());
                final IncidentReceiver.Received r = hook.receivedFor(a.getDedupKey()).get(1);
                final String ts = r.headers().getFirst(WebhookDestination.TIMESTAMP_HEADER);
                assertEquals(WebhookDestination.signature("cli-secret".getBytes(StandardCharsets.UTF_8), ts,
                        AlertJson.write(r.body())), r.headers().getFirst(WebhookDestination.SIGNATURE_HEADER));
            }
        }
    }

    private static AlertRouterLoop router(final VigilSerdes serdes, final IncidentReceiver tool) {
        final SafetyMetrics metrics = new SafetyMetrics(new SimpleMeterRegistry());
        final RetryPolicy policy = new RetryPolicy(1000, Duration.ofMillis(50), Duration.ofMillis(300),
                Duration.ofMillis(500), Duration.ofSeconds(5));
        final AlertRouter router = new AlertRouter(List.of(
                new PagerDutyDestination(tool.uri("/v2/enqueue"), "test-routing-key", Severity.WARNING, 100)),
                new AlertDeliverer(policy, metrics), metrics);
        return new AlertRouterLoop(Map.of("bootstrap.servers", kafka.bootstrapServers()), "router-it",
                Topics.ALERTS, Topics.ALERTS_DLQ, serdes.value(SafetyAlert.class).deserializer(), router, metrics);
    }

    private static long committed() throws Exception {
        try (Admin admin = kafka.admin()) {
            final OffsetAndMetadata o = admin.listConsumerGroupOffsets("router-it").partitionsToOffsetAndMetadata()
                    .get().get(new TopicPartition(Topics.ALERTS, 0));
            return o == null ? 0 : o.offset();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readDlq(final int expected) {
        final List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "group.id", "dlq-reader", "auto.offset.reset", "earliest"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.ALERTS_DLQ));
            final long deadline = System.currentTimeMillis() + 20_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(300)).forEach(out::add);
            }
        }
        return out;
    }

    private static Map<String, String> headers(final ConsumerRecord<byte[], byte[]> r) {
        final Map<String, String> m = new java.util.HashMap<>();
        r.headers().forEach(h -> m.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return m;
    }
}
