package dev.vigil.alert.route;

import dev.vigil.cli.RouteAlertsCommand;
import dev.vigil.metrics.SafetyTrafficFixture;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.testing.InJvmKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vigil route-alerts} against a real broker and a schema registry that needs credentials
 * and then fails in every way a registry can: no alert is dead-lettered or committed while the
 * registry is unavailable (not even a record with an unknown schema id, which cannot be told
 * apart until the registry answers), health and metrics say so, and once the registry is back
 * every alert is delivered in order and only the records that are truly malformed are in the DLQ,
 * counted in the metric the page fires on.
 */
class AlertRouterRegistryIT {
    private static final String TOPIC = "registry-it.alerts";
    private static final String DLQ = TOPIC + ".dlq";
    private static final String GROUP = "registry-it-router";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static SafetyAlert alert(final int i) {
        return SafetyTrafficFixture.alert(AlertType.MISSED_REFERRAL, Severity.CRITICAL, "conv-" + i,
                Instant.parse("2026-03-01T10:00:00Z").plusSeconds(i));
    }

    @Test
    void shouldHoldAlertsThroughEveryKindOfRegistryOutageAndDeadLetterOnlyMalformedRecords() throws Exception {
        try (InJvmKafka kafka = InJvmKafka.start(); FakeRegistry registry = new FakeRegistry();
             IncidentReceiver pagerDuty = new IncidentReceiver((k, n) -> IncidentReceiver.Answer.ok());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                     kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            kafka.createTopics(1, TOPIC, DLQ);
            registry.requireAuthorization("Basic " + java.util.Base64.getEncoder()
                    .encodeToString("router:s3cret".getBytes(StandardCharsets.UTF_8)));
            // Phase 1: the registry answers. Three alerts and one record that is not an alert.
            for (int i = 0; i < 3; i++) {
                send(producer, alert(i).getDedupKey(), FakeRegistry.framed(FakeRegistry.ALERT_ID, alert(i)));
            }
            send(producer, "garbage", "not avro".getBytes(StandardCharsets.UTF_8));

            final int httpPort;
            try (ServerSocket s = new ServerSocket(0)) {
                httpPort = s.getLocalPort();
            }
            final Map<String, String> env = new HashMap<>();
            env.put("VIGIL_PAGERDUTY_ROUTING_KEY", "routing-key");
            // The registry's credentials and client settings, the way every job takes them.
            env.put("KAFKA_BASIC_AUTH_USER_INFO", "router:s3cret");
            env.put("KAFKA_SCHEMA_REGISTRY_MAX_RETRIES", "0");
            final RouteAlertsCommand command = new RouteAlertsCommand(env);
            final Thread router = new Thread(() -> new CommandLine(command).execute(
                    "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url", registry.url(),
                    "--alerts-topic", TOPIC, "--dlq-topic", DLQ, "--group-id", GROUP,
                    "--pagerduty-url", pagerDuty.uri("/v2/enqueue").toString(), "--pagerduty-min-severity", "INFO",
                    "--rate-per-second", "50", "--initial-backoff", "50ms", "--max-backoff", "400ms",
                    "--http-host", "127.0.0.1", "--http-port", Integer.toString(httpPort)), "route-alerts-registry-it");
            router.start();
            try {
                await("first alerts delivered").atMost(Duration.ofSeconds(60))
                        .until(() -> committed(kafka) == 4 && pagerDuty.incidentKeys().size() == 3);
                assertEquals(200, get(httpPort, "/health/ready").statusCode());

                // Phase 2: the registry fails. A record with an id nobody knows (no telling until the
                // registry answers), an alert with a schema id not cached yet, and an alert with a
                // cached id behind them.
                registry.mode(FakeRegistry.Mode.HTTP_503);
                send(producer, "unknown-id", FakeRegistry.framed(999, alert(99)));
                send(producer, alert(3).getDedupKey(), FakeRegistry.framed(FakeRegistry.ALERT_ID_2, alert(3)));
                send(producer, alert(4).getDedupKey(), FakeRegistry.framed(FakeRegistry.ALERT_ID, alert(4)));
                final List<FakeRegistry.Mode> outages = new ArrayList<>(List.of(FakeRegistry.Mode.values()));
                outages.remove(FakeRegistry.Mode.UP);
                for (final FakeRegistry.Mode mode : outages) {
                    registry.mode(mode);
                    final int before = registry.requests();
                    await(mode + ": the router asks again").atMost(Duration.ofSeconds(30))
                            .until(() -> registry.requests() >= before + 2);
                    assertEquals(4, committed(kafka), mode + ": nothing committed past the waiting alert");
                    assertEquals(3, pagerDuty.incidentKeys().size(), mode + ": nothing delivered out of order");
                    final HttpResponse<String> ready = get(httpPort, "/health/ready");
                    assertEquals(503, ready.statusCode(), mode + ": " + ready.body());
                    assertTrue(ready.body().contains("\"schemaRegistry\":\"DOWN\""), mode + ": " + ready.body());
                    assertEquals(200, get(httpPort, "/health/live").statusCode(),
                            "a restart would not bring the registry back: still live");
                    assertEquals(1.0, metric(httpPort, "vigil_alert_router_registry_waiting"), mode.toString());
                }
                assertEquals(1, readDlq(kafka, 1).size(), "nothing dead-lettered during the outage");
                assertTrue(metric(httpPort, "vigil_alert_router_registry_waits_total") >= 2 * outages.size());

                // Phase 3: the registry is back.
                registry.mode(FakeRegistry.Mode.UP);
                await("held alerts delivered").atMost(Duration.ofSeconds(60))
                        .until(() -> committed(kafka) == 7 && pagerDuty.incidentKeys().size() == 5);
                await("health back").atMost(Duration.ofSeconds(10))
                        .until(() -> get(httpPort, "/health/ready").statusCode() == 200);
                assertEquals(0.0, metric(httpPort, "vigil_alert_router_registry_waiting"));
                assertEquals(1.0, metric(httpPort, "vigil_schema_registry_up"));
                assertEquals(2.0, metric(httpPort, "vigil_dead_letters_total{reason=\"alert_deserialization_failed\"}"));
            } finally {
                command.stop();
                router.join(15_000);
            }

            for (int i = 0; i < 5; i++) {
                assertEquals(1, pagerDuty.incidentsOpened(alert(i).getDedupKey()), "alert " + i);
            }
            final List<ConsumerRecord<byte[], byte[]>> dead = readDlq(kafka, 2);
            assertEquals(2, dead.size());
            final Map<String, String> garbage = headers(dead.get(0));
            assertEquals(AlertRouterLoop.REASON_UNREADABLE, garbage.get(AlertRouterLoop.HEADER_REASON));
            assertEquals(AlertDecoder.NOT_REGISTRY_FRAMED, garbage.get(AlertRouterLoop.HEADER_DETAIL));
            final Map<String, String> unknown = headers(dead.get(1));
            assertEquals(AlertRouterLoop.REASON_UNREADABLE, unknown.get(AlertRouterLoop.HEADER_REASON));
            assertTrue(unknown.get(AlertRouterLoop.HEADER_DETAIL).startsWith(AlertDecoder.UNKNOWN_SCHEMA_ID),
                    unknown.toString());
            assertEquals(TOPIC + "/0/4", unknown.get(AlertRouterLoop.HEADER_SOURCE));
        }
    }

    private static void send(final KafkaProducer<byte[], byte[]> producer, final String key, final byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(TOPIC, key.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    private static long committed(final InJvmKafka kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            final OffsetAndMetadata o = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(TOPIC, 0));
            return o == null ? 0 : o.offset();
        }
    }

    private static HttpResponse<String> get(final int port, final String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one series in /metrics ({@code name} with its labels, as exposed). */
    private static double metric(final int port, final String series) throws Exception {
        final String body = get(port, "/metrics").body();
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
        assertTrue(m.find(), series + " not in /metrics");
        return Double.parseDouble(m.group(1));
    }

    private static List<ConsumerRecord<byte[], byte[]>> readDlq(final InJvmKafka kafka, final int expected) {
        final List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "group.id", "dlq-reader-" + System.nanoTime(), "auto.offset.reset", "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(DLQ));
            final long deadline = System.currentTimeMillis() + 5_000;
            while (System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(300)).forEach(out::add);
                if (out.size() >= expected) {
                    // Read a little longer: more than expected is a failure too.
                    c.poll(Duration.ofMillis(500)).forEach(out::add);
                    break;
                }
            }
        }
        return out;
    }

    private static Map<String, String> headers(final ConsumerRecord<byte[], byte[]> r) {
        final Map<String, String> m = new HashMap<>();
        r.headers().forEach(h -> m.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return m;
    }
}
