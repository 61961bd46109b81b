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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void shouldTrustTheRegistryCertificateOfTheTrustStoreSettings(@TempDir final Path dir) throws Exception {
        final String password = "changeit";
        final Path keystore = dir.resolve("registry.p12");
        final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        final Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "registry",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", password, "-keypass", password).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && process.exitValue() == 0, output);
        final java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(keystore)) {
            store.load(in, password.toCharArray());
        }
        final javax.net.ssl.KeyManagerFactory keys =
                javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password.toCharArray());
        final javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        final com.sun.net.httpserver.HttpsServer registry =
                com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
        registry.createContext("/", exchange -> {
            final byte[] body = "{\"schema\": \"\\\"string\\\"\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        registry.start();
        try {
            final String url = "https://127.0.0.1:" + registry.getAddress().getPort();
            // As variables, the way the Kubernetes manifests pass them to every job ...
            final RouteAlertsCommand fromEnv = parse(Map.of(
                    "KAFKA_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION", keystore.toString(),
                    "KAFKA_SCHEMA_REGISTRY_SSL_TRUSTSTORE_PASSWORD", password,
                    "KAFKA_SCHEMA_REGISTRY_SSL_TRUSTSTORE_TYPE", "PKCS12", "KAFKA_SCHEMA_REGISTRY_MAX_RETRIES", "0"),
                    "--bootstrap-servers", "b:9092", "--schema-registry-url", url);
            try (SchemaRegistryClient client = fromEnv.registry(fromEnv.connection.resolve())) {
                assertEquals("\"string\"", client.schemaById(1).toString());
            }
            // ... or as flags.
            final RouteAlertsCommand fromFlags = parse(Map.of(), "--bootstrap-servers", "b:9092",
                    "--schema-registry-url", url,
                    "--kafka-config", "schema.registry.ssl.truststore.location=" + keystore,
                    "--kafka-config", "schema.registry.ssl.truststore.password=" + password,
                    "--kafka-config", "schema.registry.ssl.truststore.type=PKCS12");
            try (SchemaRegistryClient client = fromFlags.registry(fromFlags.connection.resolve())) {
                assertEquals("\"string\"", client.schemaById(1).toString());
            }
            // Without them, the certificate is refused: the settings are what made the difference.
            final RouteAlertsCommand without = parse(Map.of(), "--bootstrap-servers", "b:9092", "--schema-registry-url", url);
            try (SchemaRegistryClient client = without.registry(without.connection.resolve())) {
                assertThrows(dev.vigil.serde.SchemaRegistryException.class, () -> client.schemaById(1));
            }
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void shouldCapTheWaitForTheRegistryAtThirtySeconds() {
        assertEquals(Duration.ofSeconds(30), parse(Map.of()).registryBackoff().maxBackoff(), "60 s default, capped");
        assertEquals(Duration.ofSeconds(2), parse(Map.of(), "--max-backoff", "2s").registryBackoff().maxBackoff());
        assertEquals(Duration.ofMillis(500), parse(Map.of()).registryBackoff().initialBackoff());
    }
}
