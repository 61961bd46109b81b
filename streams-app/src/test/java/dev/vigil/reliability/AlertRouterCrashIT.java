package dev.vigil.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.it.TopicRecords;
import dev.vigil.it.VigilProcess;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.serde.EmbeddedSchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.testing.InJvmKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash of the alert router: {@code vigil route-alerts} (a child JVM) delivers a stream of alerts
 * to a fake PagerDuty Events v2 endpoint and is killed with SIGKILL twice in the middle of it,
 * then restarted. What on-call staff would notice is checked at the endpoint: every alert became
 * an incident (none missed), and no alert opened a second incident.
 *
 * <p>The fake opens an incident per new {@code dedup_key}, as PagerDuty does; a trigger with a
 * key it already has is a redelivery merged into the open incident. The router commits an
 * alert's offset only after the endpoint accepted it, so a kill between the two re-sends that one
 * alert after the restart: the test allows at most one redelivery per kill, and no trigger
 * without the alert's dedup key (that would be a duplicate incident in the real tool).
 *
 * <p>Vigil's own kill -9 is {@code EndToEndIT}: it proves the alerts topic after a crash equals
 * an uninterrupted run's, dedup keys included, which is what this router reads.
 */
class AlertRouterCrashIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ALERTS = 150;
    private static final String ROUTING_KEY = "routing-key-for-the-test";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path tmp;

    /** A PagerDuty Events v2 stand-in: records every trigger, one incident per dedup key. */
    static final class FakePagerDuty implements AutoCloseable {
        final HttpServer server;
        final List<String> triggers = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> incidents = new ConcurrentHashMap<>();
        final List<String> malformed = new CopyOnWriteArrayList<>();

        FakePagerDuty() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v2/enqueue", this::enqueue);
            server.start();
        }

        private void enqueue(final HttpExchange ex) throws IOException {
            try (ex) {
                final JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
                final String key = body.path("dedup_key").asText("");
                if (!ROUTING_KEY.equals(body.path("routing_key").asText()) || key.isEmpty()
                        || !"trigger".equals(body.path("event_action").asText())) {
                    malformed.add(body.toString());
                    ex.sendResponseHeaders(400, -1);
                    return;
                }
                // A tool takes a moment per event; it also spreads the stream over time so the
                // kills land in the middle of it.
                sleep(10);
                triggers.add(key);
                incidents.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                final byte[] answer = JSON.writeValueAsBytes(Map.of("status", "success", "dedup_key", key));
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(202, answer.length);
                ex.getResponseBody().write(answer);
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v2/enqueue";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void shouldOpenEveryIncidentOnceWhenTheRouterIsKilledAndRestartedMidStream() throws Exception {
        final long started = System.nanoTime();
        final String topic = "alerts-router-crash";
        final String dlq = topic + ".dlq";
        final String group = "vigil-alert-router-crash";
        final EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
        try (registry; InJvmKafka kafka = InJvmKafka.start(); FakePagerDuty pagerDuty = new FakePagerDuty()) {
            final String bootstrap = kafka.bootstrapServers();
            kafka.createTopics(1, topic, dlq);
            final Set<String> expected = produceAlerts(bootstrap, registry.url(), topic);

            final Path out = tmp.resolve("router.out");
            final Map<String, String> env = Map.of("VIGIL_PAGERDUTY_ROUTING_KEY", ROUTING_KEY);
            final List<String> args = List.of("--bootstrap-servers", bootstrap, "--schema-registry-url", registry.url(),
                    "--group-id", group, "--alerts-topic", topic, "--dlq-topic", dlq,
                    "--pagerduty-url", pagerDuty.url(), "--pagerduty-min-severity", "INFO",
                    "--rate-per-second", "40", "--initial-backoff", "100ms", "--http-port", "0",
                    // A killed member stays in the group until its session times out (45 s by
                    // default) and the restarted router waits for it; the broker's minimum keeps
                    // the test short. Operators who restart routers often can do the same.
                    "--kafka-config", "session.timeout.ms=6000");
            final List<Integer> atKills = new ArrayList<>();
            for (final int killAt : new int[] {ALERTS / 3, 2 * ALERTS / 3}) {
                try (VigilProcess router = VigilProcess.start(out, env, "route-alerts", args)) {
                    final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (pagerDuty.triggers.size() < killAt) {
                        assertTrue(System.nanoTime() < deadline && router.isAlive(),
                                "the router made no progress:\n" + router.output());
                        Thread.sleep(5);
                    }
                    router.kill();
                    atKills.add(pagerDuty.triggers.size());
                }
            }
            assertTrue(atKills.get(1) < ALERTS, "killed mid-stream: " + atKills + " of " + ALERTS + " delivered at the kills");

            try (VigilProcess router = VigilProcess.start(out, env, "route-alerts", args)) {
                final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (pagerDuty.incidents.size() < ALERTS || committed(kafka, group, topic) < ALERTS) {
                    assertTrue(System.nanoTime() < deadline && router.isAlive(), "the restarted router did not finish: "
                            + pagerDuty.incidents.size() + " incidents\n" + router.output());
                    Thread.sleep(50);
                }
                final int exit = router.stop();
                assertTrue(exit == 0 || exit == 143, "the router stops on SIGTERM (143: the JVM's exit on the signal): " + exit);
            }

            assertEquals(List.of(), pagerDuty.malformed, "every trigger carried the routing key and the alert's dedup key");
            assertEquals(expected, pagerDuty.incidents.keySet(), "one incident per alert: none missed, none invented");
            final int redeliveries = pagerDuty.triggers.size() - ALERTS;
            assertTrue(redeliveries >= 0 && redeliveries <= atKills.size(),
                    "at most the alert in flight at each kill is sent again (merged by its dedup key): "
                            + redeliveries + " redeliveries for " + atKills.size() + " kills");
            assertEquals(0, TopicRecords.readAll(bootstrap, dlq, false).size(), "nothing was dead-lettered");
            System.out.printf("AlertRouterCrashIT: killed at %s of %d delivered; %d redeliveries merged; took %.1f s%n",
                    atKills, ALERTS, redeliveries, (System.nanoTime() - started) / 1e9);
        }
    }

    /** {@link #ALERTS} alerts with distinct dedup keys, as the topology writes them; their keys. */
    private static Set<String> produceAlerts(final String bootstrap, final String registryUrl, final String topic) {
        final var serializer = VigilSerdes.registry(SchemaRegistries.forUrl(registryUrl, Map.of()))
                .value(SafetyAlert.class).serializer();
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        final Set<String> keys = new LinkedHashSet<>();
        final Instant t0 = Instant.parse("2026-03-02T10:00:00Z");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < ALERTS; i++) {
                final String subject = "conversation-" + i;
                final SafetyAlert alert = SafetyAlert.newBuilder()
                        .setAlertId("alert-" + i)
                        .setDedupKey("missed-referral/conversation/" + subject + "/turn-0")
                        .setType(AlertType.MISSED_REFERRAL)
                        .setSeverity(i % 3 == 0 ? Severity.CRITICAL : Severity.WARNING)
                        .setRaisedAt(t0.plusSeconds(i))
                        .setSubjectKind("conversation")
                        .setSubject(subject)
                        .setSummary("Crisis disclosure without a referral in the next reply")
                        .setEvidence(Map.of("crisis_level", "ACTIVE_IDEATION"))
                        .setRunbookUrl("https://example.invalid/runbooks/missed-referral")
                        .setClassifierVersion("test")
                        .build();
                keys.add(alert.getDedupKey());
                producer.send(new ProducerRecord<>(topic, null, t0.plusSeconds(i).toEpochMilli(), subject,
                        serializer.serialize(topic, alert)));
            }
            producer.flush();
        }
        return keys;
    }

    /** The router group's committed offset on the alerts topic (one partition). */
    private static long committed(final InJvmKafka kafka, final String group, final String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            final OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(topic, 0));
            return o == null ? 0 : o.offset();
        }
    }

    private static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
