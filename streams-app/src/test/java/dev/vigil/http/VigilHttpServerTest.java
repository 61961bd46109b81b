package dev.vigil.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.metrics.SafetyTrafficFixture;
import dev.vigil.metrics.VigilMetrics;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.schema.WindowAggregate;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VigilHttpServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    private final RecentAlerts alerts = new RecentAlerts(3);
    private final CurrentAggregates aggregates = new CurrentAggregates();
    private VigilMetrics metrics;
    private VigilHttpServer server;

    @BeforeEach
    void start() throws Exception {
        metrics = VigilMetrics.create();
        server = VigilHttpServer.start("127.0.0.1", 0, metrics::scrape, state::get, alerts, aggregates);
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    private HttpResponse<String> get(final String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServePrometheusTextOnMetrics() throws Exception {
        new SafetyTrafficFixture(metrics.safety(), 1).conversations(20, Instant.now());
        final HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertTrue(r.body().contains("vigil_messages_classified_total{role=\"assistant\"}"));
        assertTrue(r.body().contains("jvm_memory_used_bytes"));
    }

    @Test
    void shouldReportASchemaRegistryOutageInReadinessAndMetrics() throws Exception {
        final int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        final dev.vigil.serde.SchemaRegistryClient registry = dev.vigil.serde.SchemaRegistries.forUrl(
                "http://127.0.0.1:" + closedPort, java.util.Map.of(dev.vigil.serde.HttpSchemaRegistryClient.MAX_RETRIES, "1",
                        dev.vigil.serde.HttpSchemaRegistryClient.RETRY_BACKOFF_MS, "1"));
        metrics.bindSchemaRegistry(registry.status());
        server.close();
        server = VigilHttpServer.start("127.0.0.1", 0, metrics::scrape, state::get, alerts, aggregates,
                () -> registry.status().up());
        state.set(KafkaStreams.State.RUNNING);
        assertEquals(200, get("/health/ready").statusCode());
        assertTrue(get("/health/ready").body().contains("\"schemaRegistry\":\"UP\""));
        assertTrue(get("/metrics").body().contains("vigil_schema_registry_up 1.0"));

        org.junit.jupiter.api.Assertions.assertThrows(dev.vigil.serde.SchemaRegistryException.class, () -> registry.schemaById(1));
        final HttpResponse<String> ready = get("/health/ready");
        assertEquals(503, ready.statusCode(), "records wait for the registry: not ready");
        assertTrue(ready.body().contains("\"schemaRegistry\":\"DOWN\""), ready.body());
        assertEquals(200, get("/health/live").statusCode(), "a restart would not bring the registry back");
        final String scrape = get("/metrics").body();
        assertTrue(scrape.contains("vigil_schema_registry_up 0.0"), scrape);
        assertTrue(scrape.contains("vigil_schema_registry_errors_total 2.0"), "two failed attempts");
    }

    @Test
    void shouldBeLiveWhileRunningOrRebalancingAndReadyOnlyWhenRunning() throws Exception {
        assertEquals(503, get("/health/live").statusCode(), "CREATED is not live yet");
        assertEquals(503, get("/health/ready").statusCode());
        state.set(KafkaStreams.State.REBALANCING);
        assertEquals(200, get("/health/live").statusCode());
        assertEquals(503, get("/health/ready").statusCode(), "a rebalancing instance takes no traffic");
        state.set(KafkaStreams.State.RUNNING);
        assertEquals(200, get("/health/live").statusCode());
        final HttpResponse<String> ready = get("/health/ready");
        assertEquals(200, ready.statusCode());
        assertEquals("RUNNING", JSON.readTree(ready.body()).get("state").asText());
        state.set(KafkaStreams.State.ERROR);
        assertEquals(503, get("/health/live").statusCode(), "a dead stream thread must get the pod restarted");
        assertEquals(503, get("/health/ready").statusCode());
    }

    @Test
    void shouldListRecentAlertsNewestFirstAndKeepOnlyTheLatestFew() throws Exception {
        final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < 5; i++) {
            alerts.record(SafetyTrafficFixture.alert(AlertType.MISSED_REFERRAL, Severity.CRITICAL, "c" + i,
                    t0.plusSeconds(i)));
        }
        // The same alert again (a restart re-read it) must not be listed twice.
        alerts.record(SafetyTrafficFixture.alert(AlertType.MISSED_REFERRAL, Severity.CRITICAL, "c4", t0.plusSeconds(4)));
        final HttpResponse<String> r = get("/api/alerts");
        assertEquals(200, r.statusCode());
        final JsonNode list = JSON.readTree(r.body()).get("alerts");
        assertEquals(3, list.size());
        assertEquals("c4", list.get(0).get("subject").asText());
        assertEquals("c2", list.get(2).get("subject").asText());
        assertEquals("MISSED_REFERRAL", list.get(0).get("type").asText());
        assertTrue(list.get(0).get("runbook_url").asText().endsWith("missed-referral.md"));
    }

    @Test
    void shouldShowSuppressedAggregateCellsWithoutAnyCount() throws Exception {
        final Instant w = Instant.parse("2026-01-01T00:00:00Z");
        aggregates.record(cell(w, "companionship", false, 40L, 120L));
        aggregates.record(cell(w, "sexual_roleplay", true, null, null));
        // Marked published but below k: still suppressed, never shown.
        aggregates.record(cell(w, "romantic_roleplay", false, 3L, 7L));
        // A late, older window must not replace the current one.
        aggregates.record(cell(w.minusSeconds(300), "companionship", false, 99L, 999L));
        final JsonNode list = JSON.readTree(get("/api/aggregates").body()).get("aggregates");
        assertEquals(3, list.size());
        final Map<String, JsonNode> byValue = new java.util.HashMap<>();
        list.forEach(n -> byValue.put(n.get("value").asText(), n));
        assertFalse(byValue.get("companionship").get("suppressed").asBoolean());
        assertEquals(120, byValue.get("companionship").get("conversations").asLong());
        for (final String small : new String[] {"sexual_roleplay", "romantic_roleplay"}) {
            final JsonNode n = byValue.get(small);
            assertTrue(n.get("suppressed").asBoolean(), small);
            assertFalse(n.has("conversations") || n.has("distinct_accounts") || n.has("messages")
                    || n.has("crisis_disclosures"), small + " leaks counts: " + n);
        }
    }

    @Test
    void shouldRefuseWritesAndUnknownPaths() throws Exception {
        final HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/alerts"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals(404, get("/api/conversations").statusCode());
        assertEquals(404, get("/metrics/extra").statusCode());
    }

    private static WindowAggregate cell(final Instant start, final String value, final boolean suppressed,
                                        final Long accounts, final Long conversations) {
        return WindowAggregate.newBuilder()
                .setWindowStart(start).setWindowEnd(start.plusSeconds(3600)).setWindowSize("PT1H")
                .setDimension("affective_category").setValue(value).setSuppressed(suppressed).setK(10)
                .setDistinctAccounts(accounts).setConversations(conversations)
                .setMessages(conversations == null ? null : conversations * 8)
                .setCrisisDisclosures(conversations == null ? null : 1L)
                .setClassifierVersion("test").build();
    }
}
