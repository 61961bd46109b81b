package dev.vigil.serde;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.vigil.schema.MessageSignals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS through the JDK client: a registry with a self-signed certificate, trusted via the trust store settings. */
class HttpSchemaRegistryClientTlsTest {
    private static final String PASSWORD = "changeit";

    @TempDir
    Path dir;
    private HttpsServer server;
    private Path keystore;

    @BeforeEach
    void startHttpsStub() throws Exception {
        keystore = dir.resolve("registry.p12");
        // keytool ships with every JDK; a fresh self-signed certificate for 127.0.0.1.
        final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        final Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "registry",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "keytool: " + output);

        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);

        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                final byte[] body = "{\"id\":21}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void shouldTrustTheRegistryCertificateFromTheConfiguredTrustStore() {
        final SchemaRegistryClient client = SchemaRegistries.forUrl(url(), Map.of(
                HttpSchemaRegistryClient.TRUSTSTORE_LOCATION, keystore.toString(),
                HttpSchemaRegistryClient.TRUSTSTORE_PASSWORD, PASSWORD,
                HttpSchemaRegistryClient.TRUSTSTORE_TYPE, "PKCS12"));
        assertEquals(21, client.register("s-value", MessageSignals.getClassSchema()));
    }

    @Test
    void shouldRefuseAnUntrustedCertificateWithoutRetrying() {
        final SchemaRegistryClient client = SchemaRegistries.forUrl(url(), Map.of());
        final SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> client.register("s-value", MessageSignals.getClassSchema()));
        assertTrue(e.getMessage().contains(HttpSchemaRegistryClient.TRUSTSTORE_LOCATION), e.getMessage());
    }

    @Test
    void shouldNameAMissingTrustStoreFile() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SchemaRegistries.forUrl(url(), Map.of(HttpSchemaRegistryClient.TRUSTSTORE_LOCATION,
                        dir.resolve("missing.p12").toString())));
        assertTrue(e.getMessage().contains("missing.p12"), e.getMessage());
    }
}
