package dev.vigil.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The observability stack against the real programs: a real Prometheus (Debian package) scrapes
 * Vigil on 127.0.0.1 while it processes simulated traffic, evaluates Vigil's recording and alert
 * rules, and sends firing alerts to a real Alertmanager running the repository's routing config,
 * which posts to local receivers standing in for PagerDuty, Opsgenie and Slack.
 *
 * <p>Checked through Prometheus' HTTP API: every PromQL expression of every dashboard panel parses
 * and returns data; every rule expression parses and every rule evaluates without error; the
 * missed-referral alert reaches the PagerDuty receiver as an Events API v2 trigger.
 *
 * <p>Every process is started on 127.0.0.1 and stopped in {@link #stopEverything()}, whatever
 * the outcome.
 */
class FullStackObservabilityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String PAGERDUTY_KEY = "test-routing-key-safeguards";

    private final Path root = ExternalTools.repoRoot();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();

    /** What the test needs from a running Vigil. */
    interface RunningVigil extends AutoCloseable {
        /** Port of Vigil's HTTP server ({@code /metrics}) on 127.0.0.1. */
        int metricsPort();
    }

    /**
     * Starts Vigil with simulated traffic and returns once {@code /metrics} answers.
     *
     * <p>TODO(lead): replace the test double with the real application once {@code dev.vigil.app}
     * exists: start the in-JVM broker, run {@code vigil run} (KafkaStreams + VigilHttpServer on
     * 127.0.0.1, port 0) against it, and feed it {@code vigil simulate} traffic that includes
     * crisis disclosures with missed referrals, pushback, coordinated-abuse clusters and a few
     * malformed records (for the dead-letter panel); also start {@code vigil route-alerts} against
     * a local receiver if the router panel should be checked against real deliveries (its metrics
     * then come from a second scrape target). Until then {@link SimulatedVigil} runs a real Kafka
     * Streams instance with the Micrometer binder and feeds SafetyMetrics the calls the stages make.
     */
    private RunningVigil startVigilWithSimulatedTraffic(final Path dir) throws Exception {
        final SimulatedVigil vigil = SimulatedVigil.start(dir.resolve("streams-state"));
        return new RunningVigil() {
            @Override
            public int metricsPort() {
                return vigil.httpPort();
            }

            @Override
            public void close() throws Exception {
                vigil.close();
            }
        };
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

        final RunningVigil vigil = startVigilWithSimulatedTraffic(dir);
        closeables.add(vigil);

        final int prometheusPort = ExternalTools.freePort();
        startPrometheus(prometheusBin, dir, vigil.metricsPort(), alertmanagerPort, prometheusPort);
        final String prometheus = "http://127.0.0.1:" + prometheusPort;

        await("Prometheus scraping Vigil").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> resultCount(prometheus, "up{job=\"vigil\"} == 1") == 1);
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

    /** The repository's rule files, a 1 s scrape of Vigil, alerts to the test's Alertmanager. */
    private void startPrometheus(final Path bin, final Path dir, final int vigilPort, final int alertmanagerPort,
                                 final int port) throws Exception {
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
