package dev.vigil.cli;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.alert.route.Destination;
import dev.vigil.app.EmbeddedStackFile;
import dev.vigil.serde.SchemaRegistryClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code vigil route-alerts} connects the way every other job does. */
class RouteAlertsCommandTest {

    private static RouteAlertsCommand parse(final Map<String, String> env, final String... args) {
        final RouteAlertsCommand cmd = new RouteAlertsCommand(env);
        new CommandLine(cmd).setDefaultValueProvider(new EnvironmentDefaults(env)).parseArgs(args);
        return cmd;
    }

    @Test
    void shouldEnableOnlyDestinationsWhoseSecretIsInTheEnvironment() throws Exception {
        final RouteAlertsCommand cmd = parse(Map.of("VIGIL_PAGERDUTY_ROUTING_KEY", "pd",
                "VIGIL_SLACK_WEBHOOK_URL", "http://127.0.0.1:1/hook"), "--bootstrap-servers", "b:9092");
        assertEquals(List.of("pagerduty", "slack"), cmd.destinations().stream().map(Destination::name).toList());
    }

    @Test
    void shouldTakeKafkaConfigAndKafkaVariablesLikeTheOtherJobs() {
        final RouteAlertsCommand cmd = parse(Map.of("KAFKA_SECURITY_PROTOCOL", "SSL", "KAFKA_SASL_MECHANISM", "PLAIN"),
                "--bootstrap-servers", "b:9092", "--schema-registry-url", "http://r:8081",
                "--kafka-config", "sasl.mechanism=SCRAM-SHA-512", "--kafka-config", "session.timeout.ms=6000");
        final Map<String, Object> kafka = cmd.kafkaConfig(cmd.connection.resolve());
        assertEquals("b:9092", kafka.get("bootstrap.servers"));
        assertEquals("SSL", kafka.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", kafka.get("sasl.mechanism"), "the flag wins over the variable");
        assertEquals("6000", kafka.get("session.timeout.ms"));
    }

    @Test
    void shouldReadDurationsTheWayTheOtherJobsDo() {
        final RouteAlertsCommand cmd = parse(Map.of(), "--initial-backoff", "500ms", "--max-backoff", "5m",
                "--request-timeout", "PT3S");
        assertEquals(Duration.ofMillis(500), cmd.initialBackoff);
        assertEquals(Duration.ofMinutes(5), cmd.maxBackoff);
        assertEquals(Duration.ofSeconds(3), cmd.requestTimeout);
        final RouteAlertsCommand defaults = parse(Map.of());
        assertEquals(Duration.ofMillis(500), defaults.initialBackoff);
        assertEquals(Duration.ofSeconds(60), defaults.maxBackoff);
    }

    @Test
    void shouldFindTheRunningEmbeddedStackWithoutFlags(@TempDir final Path data) {
        EmbeddedStackFile.write(data, new EmbeddedStackFile.Stack("127.0.0.1:19092", "http://127.0.0.1:18081"));
        final RouteAlertsCommand cmd = parse(Map.of(), "--data-dir", data.toString());
        final EmbeddedStackFile.Stack stack = cmd.connection.resolve();
        assertEquals("http://127.0.0.1:18081", stack.schemaRegistryUrl());
        assertEquals("127.0.0.1:19092", cmd.kafkaConfig(stack).get("bootstrap.servers"));
    }

    @Test
    void shouldSendTheRegistryCredentialsOfKafkaConfig() throws Exception {
        final AtomicReference<String> authorization = new AtomicReference<>();
        final HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            final byte[] body = "{\"schema\": \"\\\"string\\\"\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        registry.start();
        try {
            final RouteAlertsCommand cmd = parse(Map.of("KAFKA_BASIC_AUTH_USER_INFO", "router:s3cret"),
                    "--bootstrap-servers", "b:9092",
                    "--schema-registry-url", "http://127.0.0.1:" + registry.getAddress().getPort());
            try (SchemaRegistryClient client = cmd.registry(cmd.connection.resolve())) {
                client.schemaById(1);
            }
            assertEquals("Basic " + java.util.Base64.getEncoder().encodeToString(
                    "router:s3cret".getBytes(StandardCharsets.UTF_8)), authorization.get());
        } finally {
            registry.stop(0);
        }
    }
}
