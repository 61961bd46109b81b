package dev.vigil.ops;

import dev.vigil.testing.InJvmKafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilApp;
import dev.vigil.app.VigilTopics;
import dev.vigil.classify.Classifiers;
import dev.vigil.config.Topics;
import dev.vigil.http.CurrentAggregates;
import dev.vigil.http.RecentAlerts;
import dev.vigil.http.VigilHttpServer;
import dev.vigil.ingest.EventValidator;
import dev.vigil.metrics.VigilMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.EmbeddedSchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.simulate.TrafficProducer;
import dev.vigil.simulate.TrafficSimulator;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.VigilTopology;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The observability stack against the real programs: the real Vigil application (topology, shipped
 * classifier, metrics, HTTP server) on the in-JVM broker processes simulated traffic with crisis
 * disclosures, pushback, a planted campaign and a few bad records; {@code vigil route-alerts} runs
 * beside it as its own process, delivering to a local signed webhook. A real Prometheus (Debian
 * package) scrapes both on 127.0.0.1, evaluates Vigil's recording and alert rules, and sends firing
 * alerts to a real Alertmanager running the repository's routing config, which posts to local
 * receivers standing in for PagerDuty, Opsgenie and Slack.
 *
 * <p>Checked through Prometheus' HTTP API: every PromQL expression of every dashboard panel parses
 * and returns data (the router panels from the router's own metrics); every rule expression parses
 * and every rule evaluates without error; the missed-referral alert, raised by live traffic after
 * Prometheus started, reaches the PagerDuty receiver as an Events API v2 trigger.
 *
 * <p>Every process is started on 127.0.0.1 and stopped in {@link #stopEverything()}, whatever
 * the outcome.
 */
class FullStackObservabilityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String PAGERDUTY_KEY = "test-routing-key-safeguards";
    /** One partition: the backfill arrives in event-time order, none of it later than the grace. */
    private static final int PARTITIONS = 1;
    private static final int BAD_RECORDS = 6;

    private final Path root = ExternalTools.repoRoot();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();

    /**
     * The monitoring stages with windows of seconds instead of minutes, so that in a test of a few
     * minutes conversations end, aggregate windows close and campaigns are merged and alerted.
     */
    static MonitoringConfig shortWindows() {
        return MonitoringConfig.builder()
                // Longer than the simulator's slowest human reply (30 s), so conversations stay whole.
                .inactivityGap(Duration.ofSeconds(40))
                .k(3)
                .aggregateWindows(List.of(
                        new MonitoringConfig.WindowSpec(Duration.ofSeconds(30), Duration.ofSeconds(10)),
                        new MonitoringConfig.WindowSpec(Duration.ofMinutes(2), Duration.ofSeconds(30))))
                .alertWindow(1)
                .grace(Duration.ofSeconds(5))
                .abuseWindow(Duration.ofMinutes(1))
                .abuseAdvance(Duration.ofSeconds(30))
                .persistentStores(false)
                .build();
    }

    /**
     * The real application on the in-JVM broker: {@link VigilTopology} with the shipped classifier
     * run by {@link VigilApp}, its {@link VigilMetrics} served by {@link VigilHttpServer} on
     * 127.0.0.1, the schema registry served over HTTP (the router is another process), and traffic
     * from the simulator.
     */
    static final class RunningVigil implements AutoCloseable {
        private final List<AutoCloseable> parts = new ArrayList<>();
        private final InJvmKafka kafka;
        private final EmbeddedSchemaRegistry registry;
        private final VigilSerdes serdes;
        private final VigilMetrics metrics;
        private final VigilHttpServer http;

        RunningVigil(final Path dir) throws Exception {
            kafka = InJvmKafka.start();
            parts.add(kafka);
            registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
            parts.add(registry);
            final MonitoringConfig monitoring = shortWindows();
            final StreamsSettings settings = new StreamsSettings("vigil-fullstack", kafka.bootstrapServers(),
                    registry.url(), dir.resolve("streams-state"), StreamsSettings.DEFAULT_COMMIT_INTERVAL_MS,
                    (short) 1, PARTITIONS, 1, Map.of());
            VigilTopics.ensure(settings.clientProperties(),
                    VigilTopics.topics(Topics.CONVERSATION_EVENTS, monitoring, PARTITIONS, (short) 1));
            serdes = VigilSerdes.registry(SchemaRegistries.forUrl(registry.url(), Map.of()));
            metrics = VigilMetrics.create();
            parts.add(metrics);
            final VigilApp app = new VigilApp(VigilTopology.build(new VigilTopology.Settings(Topics.CONVERSATION_EVENTS,
                    new EventValidator(EventValidator.DEFAULT_MAX_TEXT_CHARS), monitoring), Classifiers.standard(),
                    serdes, metrics.safety()), settings);
            metrics.bindKafkaStreams(app.streams());
            http = VigilHttpServer.start("127.0.0.1", 0, metrics::scrape, app::state, new RecentAlerts(),
                    new CurrentAggregates());
            parts.add(http);
            parts.add(app);
            final Map<String, Object> client = new java.util.HashMap<>();
            settings.clientProperties().forEach((k, v) -> client.put(String.valueOf(k), v));
            parts.add(dev.vigil.ingest.CommittedDeadLetters.start(client, settings.applicationId(),
                    Topics.CONVERSATION_EVENTS_DLQ, metrics.safety()));
            app.start();
            assertTrue(app.awaitRunning(Duration.ofMinutes(2)), "Kafka Streams running, state " + app.state());
        }

        int metricsPort() {
            return http.port();
        }

        String bootstrapServers() {
            return kafka.bootstrapServers();
        }

        String registryUrl() {
            return registry.url();
        }

        String scrape() {
            return metrics.scrape();
        }

        /**
         * Simulated traffic as fast as it can be sent, its event time ending now: enough of it
         * that every kind of conversation, window and campaign occurs, so that every series the
         * dashboards read exists before Prometheus starts.
         */
        void backfill(final Duration span, final double rate, final long seed) throws Exception {
            final TrafficSimulator simulator = new TrafficSimulator(seed, Instant.now().minus(span), rate, span);
            try (KafkaProducer<String, byte[]> producer = producer()) {
                final TrafficProducer traffic = new TrafficProducer(simulator, producer,
                        serdes.value(ConversationEvent.class).serializer(), Topics.CONVERSATION_EVENTS, false,
                        Clock.systemUTC());
                traffic.run();
                assertEquals(null, traffic.failure(), "backfill sent without errors");
            }
        }

        /** Records that are not conversation events at all: each must go to the dead-letter topic. */
        void sendBadRecords(final int count) throws Exception {
            try (KafkaProducer<String, byte[]> producer = producer()) {
                for (int i = 0; i < count; i++) {
                    final byte[] junk = i % 2 == 0
                            ? "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8)
                            : new byte[] {0, 0, 0, 0x7f, 0x7f, 1, 2, 3};
                    producer.send(new ProducerRecord<>(Topics.CONVERSATION_EVENTS, "bad-" + i, junk)).get();
                }
            }
        }

        /** Live traffic paced in real time from now on (its planted crisis disclosures come first). */
        void startLiveTraffic(final double rate, final long seed) {
            final KafkaProducer<String, byte[]> producer = producer();
            final TrafficProducer traffic = new TrafficProducer(
                    new TrafficSimulator(seed, Instant.now(), rate, Duration.ofMinutes(30)), producer,
                    serdes.value(ConversationEvent.class).serializer(), Topics.CONVERSATION_EVENTS, true,
                    Clock.systemUTC());
            final Thread thread = new Thread(traffic, "fullstack-live-traffic");
            thread.setDaemon(true);
            thread.start();
            parts.add(() -> {
                traffic.stop();
                thread.interrupt();
                thread.join(5_000);
                producer.close(Duration.ofSeconds(5));
            });
        }

        private KafkaProducer<String, byte[]> producer() {
            return new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all",
                    "linger.ms", 5), new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public void close() {
            for (int i = parts.size() - 1; i >= 0; i--) {
                try {
                    parts.get(i).close();
                } catch (final Exception e) {
                    // Keep closing the rest.
                }
            }
        }
    }

    @AfterEach
    void stopEverything() {
        processes.forEach(ExternalTools::stop);
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (final Exception e) {
                // Keep closing the rest.
            }
        }
    }

    @Test
    void shouldAnswerEveryDashboardQueryAndDeliverAFiringRuleThroughAlertmanager(@TempDir final Path dir)
            throws Exception {
        final Path prometheusBin = ExternalTools.require("prometheus");
        final Path alertmanagerBin = ExternalTools.require("prometheus-alertmanager", "alertmanager");

        final int receiverPort = startReceivers();
        final int alertmanagerPort = ExternalTools.freePort();
        startAlertmanager(alertmanagerBin, dir, receiverPort, alertmanagerPort);

        final RunningVigil vigil = new RunningVigil(dir);
        closeables.add(vigil);
        vigil.backfill(Duration.ofMinutes(8), 20, 7);
        // After the backfill: these carry the time they are sent, and stream time must not jump
        // past the backfill's windows before it is processed.
        vigil.sendBadRecords(BAD_RECORDS);
        // Every stage has reported before Prometheus looks: ended conversations with pushback,
        // closed aggregate windows, a campaign, dead letters.
        final List<String> expected = List.of("vigil_messages_classified_total", "vigil_dead_letters_total",
                "vigil_pushback_total", "vigil_conversation_pushback_total", "vigil_conversations_with_pushback_total",
                "vigil_conversation_sentiment_shift_offset_count", "vigil_conversations_affective_total",
                "vigil_aggregate_cells_total", "type=\"coordinated_abuse\"", "vigil_referral_outcomes_total",
                "vigil_referrals_total", "vigil_crisis_disclosures_total");
        try {
            await("the backfill through every stage").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> missing(vigil.scrape(), expected).isEmpty());
        } catch (final org.awaitility.core.ConditionTimeoutException e) {
            fail("metrics never appeared: " + missing(vigil.scrape(), expected));
        }
        assertTrue(vigil.scrape().contains("vigil_dead_letters_total{reason="), "bad records dead-lettered");

        // The alert router as the separate program it is in production, on the same alerts topic.
        final int routerPort = ExternalTools.freePort();
        startRouter(dir, vigil, receiverPort, routerPort);

        final int prometheusPort = ExternalTools.freePort();
        startPrometheus(prometheusBin, dir, vigil.metricsPort(), routerPort, alertmanagerPort, prometheusPort);
        final String prometheus = "http://127.0.0.1:" + prometheusPort;

        await("Prometheus scraping Vigil").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> resultCount(prometheus, "up{job=\"vigil\"} == 1") == 1
                        && resultCount(prometheus, "up{job=\"vigil-alert-router\"} == 1") == 1);
        // Live traffic from now on: its planted missed referral is an increase Prometheus sees.
        vigil.startLiveTraffic(10, 11);
        // Enough scrapes for rate() and increase() over every window to have two samples.
        await("samples for rate windows").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> resultCount(prometheus, "count_over_time(up{job=\"vigil\"}[5m]) >= 15") == 1);

        final List<String> problems = new CopyOnWriteArrayList<>();
        final List<String> dashboardExprs = dashboardExpressions();
        assertTrue(dashboardExprs.size() >= 30, "dashboards have " + dashboardExprs.size() + " queries");
        // Data can lag a scrape or two behind (a histogram's first bucket, a GC): retry a while,
        // then report every query that still fails.
        try {
            await("every dashboard query returns data").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(3))
                    .until(() -> {
                        problems.clear();
                        for (final String expr : dashboardExprs) {
                            final JsonNode r = query(prometheus, expr);
                            if (!"success".equals(r.path("status").asText())) {
                                problems.add("does not parse: " + expr + " -> " + r.path("error").asText());
                            } else if (r.path("data").path("result").isEmpty()) {
                                problems.add("no data: " + expr);
                            }
                        }
                        return problems.isEmpty();
                    });
        } catch (final org.awaitility.core.ConditionTimeoutException e) {
            // Fall through to the assertion below, which names the failing queries.
        }
        assertTrue(problems.isEmpty(), "dashboard queries failing:\n" + String.join("\n", problems));

        for (final String expr : ruleExpressions()) {
            final JsonNode r = query(prometheus, expr);
            assertEquals("success", r.path("status").asText(), "rule does not parse: " + expr + " -> " + r);
        }
        await("every rule evaluated without error").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                .until(() -> ruleHealthProblems(prometheus).isEmpty());

        await("missed-referral page posted by Alertmanager").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> !received.getOrDefault("pagerduty", List.of()).isEmpty());
        final JsonNode page = received.get("pagerduty").get(0);
        assertEquals(PAGERDUTY_KEY, page.path("routing_key").asText(), "routing key comes from the key file");
        assertEquals("trigger", page.path("event_action").asText());
        assertTrue(page.path("dedup_key").asText().length() > 0);
        assertTrue(page.path("payload").path("summary").asText().contains("got no referral"), page.toString());
        assertEquals("critical", page.path("payload").path("severity").asText());
        assertTrue(page.toString().contains("docs/runbooks/missed-referral.md"), "runbook link in the page");
        await("the router delivered safety alerts to the signed webhook").atMost(Duration.ofSeconds(60))
                .until(() -> !received.getOrDefault("router-webhook", List.of()).isEmpty());
        assertTrue(received.get("router-webhook").get(0).toString().contains("dedup_key"),
                received.get("router-webhook").get(0).toString());
        await("the same alert also posted to Slack").atMost(Duration.ofSeconds(60))
                .until(() -> received.getOrDefault("slack-safety", List.of()).stream()
                        .anyMatch(n -> n.toString().contains("VigilMissedReferrals")));
    }

    private int startReceivers() throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                final String name = ex.getRequestURI().getPath().replaceAll("^/+|/+$", "").split("/")[0];
                final JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
                received.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(body);
                final byte[] ok = "{\"status\":\"success\"}".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(202, ok.length);
                ex.getResponseBody().write(ok);
            }
        });
        server.start();
        closeables.add(() -> server.stop(0));
        return server.getAddress().getPort();
    }

    /** The repository's Alertmanager config with tool endpoints and secret files pointed at the test. */
    private void startAlertmanager(final Path bin, final Path dir, final int receiverPort, final int port)
            throws Exception {
        final Path secrets = Files.createDirectories(dir.resolve("am-secrets"));
        final String local = "http://127.0.0.1:" + receiverPort;
        Files.writeString(secrets.resolve("pagerduty-safeguards-routing-key"), PAGERDUTY_KEY);
        Files.writeString(secrets.resolve("pagerduty-platform-routing-key"), "test-routing-key-platform");
        Files.writeString(secrets.resolve("opsgenie-api-key"), "test-opsgenie-key");
        Files.writeString(secrets.resolve("slack-safety-webhook-url"), local + "/slack-safety/hook");
        Files.writeString(secrets.resolve("slack-ops-webhook-url"), local + "/slack-ops/hook");
        Files.writeString(secrets.resolve("slack-abuse-webhook-url"), local + "/slack-abuse/hook");
        final String config = Files.readString(root.resolve("deploy/alertmanager/alertmanager.yml"))
                .replace("/etc/alertmanager/secrets/", secrets + "/")
                .replace("https://events.pagerduty.com/v2/enqueue", local + "/pagerduty/v2/enqueue")
                .replace("https://api.opsgenie.com/", local + "/opsgenie/")
                // Page within seconds instead of waiting for the production grouping delay.
                .replace("group_wait: 30s", "group_wait: 1s").replace("group_wait: 10s", "group_wait: 1s");
        final Path file = dir.resolve("alertmanager.yml");
        Files.writeString(file, config);
        processes.add(ExternalTools.start(dir, dir.resolve("alertmanager.log"), List.of(bin.toString(),
                "--config.file=" + file, "--storage.path=" + Files.createDirectories(dir.resolve("am-data")),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")));
        await("Alertmanager ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> get("http://127.0.0.1:" + port + "/-/ready").statusCode() == 200);
    }

    /**
     * {@code vigil route-alerts} as a child process on this JVM's class path, delivering to a
     * signed webhook on the local receiver, its own /metrics on 127.0.0.1.
     */
    private void startRouter(final Path dir, final RunningVigil vigil, final int receiverPort, final int port)
            throws Exception {
        final Path secret = dir.resolve("webhook-secret");
        Files.writeString(secret, "test-webhook-secret");
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        processes.add(ExternalTools.start(dir, dir.resolve("router.log"), List.of(java.toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.vigil.cli.VigilCommand", "route-alerts",
                "--bootstrap-servers", vigil.bootstrapServers(), "--schema-registry-url", vigil.registryUrl(),
                "--kafka-config", "auto.offset.reset=earliest",
                "--webhook-url", "http://127.0.0.1:" + receiverPort + "/router-webhook/alerts",
                "--webhook-secret-file", secret.toString(), "--rate-per-second", "50",
                "--http-host", "127.0.0.1", "--http-port", Integer.toString(port))));
        await("router /metrics").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> get("http://127.0.0.1:" + port + "/metrics").statusCode() == 200);
    }

    private static List<String> missing(final String scrape, final List<String> names) {
        return names.stream().filter(n -> !scrape.contains(n)).toList();
    }

    /** The repository's rule files, a 1 s scrape of Vigil and the router, alerts to the test's Alertmanager. */
    private void startPrometheus(final Path bin, final Path dir, final int vigilPort, final int routerPort,
                                 final int alertmanagerPort, final int port) throws Exception {
        final Path rules = root.resolve("deploy/prometheus/rules");
        final String config = String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  evaluation_interval: 1s",
                "rule_files:",
                "  - " + rules.resolve("vigil-recording.yml"),
                "  - " + rules.resolve("vigil-alerts.yml"),
                "alerting:",
                "  alertmanagers:",
                "    - static_configs:",
                "        - targets: ['127.0.0.1:" + alertmanagerPort + "']",
                "scrape_configs:",
                "  - job_name: vigil",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + vigilPort + "']",
                "  - job_name: vigil-alert-router",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + routerPort + "']",
                "");
        final Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config);
        processes.add(ExternalTools.start(dir, dir.resolve("prometheus.log"), List.of(bin.toString(),
                "--config.file=" + file, "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("prom-data")),
                "--web.listen-address=127.0.0.1:" + port)));
        await("Prometheus ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> get("http://127.0.0.1:" + port + "/-/ready").statusCode() == 200);
    }

    private List<String> dashboardExpressions() throws IOException {
        final List<String> exprs = new ArrayList<>();
        try (var files = Files.list(root.resolve("grafana/dashboards"))) {
            for (final Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                for (final JsonNode panel : JSON.readTree(f.toFile()).path("panels")) {
                    for (final JsonNode target : panel.path("targets")) {
                        exprs.add(target.get("expr").asText());
                    }
                }
            }
        }
        return exprs;
    }

    private List<String> ruleExpressions() throws IOException {
        final List<String> exprs = new ArrayList<>();
        try (var files = Files.list(root.resolve("deploy/prometheus/rules"))) {
            for (final Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                for (final JsonNode group : YAML.readTree(f.toFile()).get("groups")) {
                    for (final JsonNode rule : group.get("rules")) {
                        exprs.add(rule.get("expr").asText());
                    }
                }
            }
        }
        return exprs;
    }

    private List<String> ruleHealthProblems(final String prometheus) throws Exception {
        final JsonNode r = JSON.readTree(get(prometheus + "/api/v1/rules").body());
        final List<String> problems = new CopyOnWriteArrayList<>();
        int rules = 0;
        for (final JsonNode group : r.path("data").path("groups")) {
            for (final JsonNode rule : group.path("rules")) {
                rules++;
                if (!"ok".equals(rule.path("health").asText())) {
                    problems.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " "
                            + rule.path("lastError").asText());
                }
            }
        }
        if (rules < ruleExpressions().size()) {
            problems.add("only " + rules + " rules loaded");
        }
        return problems;
    }

    private int resultCount(final String prometheus, final String expr) throws Exception {
        return query(prometheus, expr).path("data").path("result").size();
    }

    private JsonNode query(final String prometheus, final String expr) throws Exception {
        final HttpResponse<String> r = get(prometheus + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> get(final String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
