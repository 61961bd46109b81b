package dev.vigil.alert.route;

import dev.vigil.metrics.SafetyTrafficFixture;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.serde.HttpSchemaRegistryClient;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.SchemaRegistryClient;
import dev.vigil.serde.SchemaRegistryException;
import dev.vigil.serde.VigilSerdes;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Registry trouble never makes an alert "malformed", and a malformed record never waits: every
 * way a registry can be slow, down or refusing leaves the record to be read again (and it is,
 * once the registry is back), and only records that can never be read are called malformed.
 */
class AlertDecoderTest {
    private static final String TOPIC = "safety.alerts";
    private FakeRegistry registry;
    private SafetyAlert alert;

    @BeforeEach
    void start() throws IOException {
        registry = new FakeRegistry();
        alert = SafetyTrafficFixture.alert(AlertType.MISSED_REFERRAL, Severity.CRITICAL, "conv-1",
                Instant.parse("2026-03-01T10:00:00Z"));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    /** A fresh client each time, so nothing is cached; no retries inside the client: the router retries. */
    private AlertDecoder decoder(final String url, final Map<String, String> extra) {
        final Map<String, String> config = new java.util.HashMap<>(Map.of(HttpSchemaRegistryClient.MAX_RETRIES, "0",
                HttpSchemaRegistryClient.RETRY_BACKOFF_MS, "1"));
        config.putAll(extra);
        final SchemaRegistryClient client = SchemaRegistries.forUrl(url, config);
        return new AlertDecoder(VigilSerdes.registry(client).value(SafetyAlert.class).deserializer());
    }

    private AlertDecoder decoder() {
        return decoder(registry.url(), Map.of());
    }

    private static AlertDecoder.Decoded decode(final AlertDecoder d, final byte[] value) {
        return d.decode(TOPIC, new RecordHeaders(), value);
    }

    @Test
    void shouldWaitThroughEveryKindOfRegistryTroubleAndReadTheAlertOnceItIsBack() {
        for (final FakeRegistry.Mode mode : FakeRegistry.Mode.values()) {
            if (mode == FakeRegistry.Mode.UP) {
                continue;
            }
            final AlertDecoder d = decoder();
            registry.mode(mode);
            for (final int id : new int[] {FakeRegistry.ALERT_ID, 999, FakeRegistry.PROTOBUF_ID}) {
                final AlertDecoder.Decoded decoded = decode(d, FakeRegistry.framed(id, alert));
                assertInstanceOf(AlertDecoder.RegistryUnavailable.class, decoded,
                        mode + ", schema id " + id + ": a registry that does not answer says nothing about the record");
                final String detail = ((AlertDecoder.RegistryUnavailable) decoded).detail();
                assertFalse(detail.contains("127.0.0.1") || detail.contains("failing"), "no URL or server text: " + detail);
            }
            registry.mode(FakeRegistry.Mode.UP);
            final AlertDecoder.Decoded back = decode(d, FakeRegistry.framed(FakeRegistry.ALERT_ID, alert));
            assertEquals(new AlertDecoder.Alert(alert), back, mode + ": read once the registry answers");
        }
    }

    @Test
    void shouldWaitWhenTheRegistryIsUnreachableOrItsCertificateUntrusted() throws IOException {
        final int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertInstanceOf(AlertDecoder.RegistryUnavailable.class,
                decode(decoder("http://127.0.0.1:" + closedPort, Map.of()), FakeRegistry.framed(1, alert)),
                "connection refused");
        assertInstanceOf(AlertDecoder.RegistryUnavailable.class,
                decode(decoder("https://127.0.0.1:" + registry.port(), Map.of()), FakeRegistry.framed(1, alert)),
                "TLS handshake failure");
    }

    @Test
    void shouldWaitWhileTheRegistryRefusesTheCredentialsAndReadWithTheRightOnes() {
        final String expected = "Basic " + Base64.getEncoder().encodeToString("router:s3cret".getBytes(StandardCharsets.UTF_8));
        registry.requireAuthorization(expected);
        assertInstanceOf(AlertDecoder.RegistryUnavailable.class, decode(decoder(), FakeRegistry.framed(1, alert)));
        assertInstanceOf(AlertDecoder.RegistryUnavailable.class, decode(decoder(registry.url(),
                Map.of(HttpSchemaRegistryClient.BASIC_AUTH_USER_INFO, "router:wrong")), FakeRegistry.framed(1, alert)));
        assertEquals(new AlertDecoder.Alert(alert), decode(decoder(registry.url(),
                Map.of(HttpSchemaRegistryClient.BASIC_AUTH_USER_INFO, "router:s3cret")), FakeRegistry.framed(1, alert)));
    }

    @Test
    void shouldClassifyEveryRegistryFailureWithoutAnAnswerAsUnavailable() {
        final List<Throwable> causes = List.of(new HttpTimeoutException("request timed out"), new ConnectException("refused"),
                new SSLHandshakeException("PKIX path building failed"), new IOException("reset"),
                new InterruptedException(), new com.fasterxml.jackson.core.JsonParseException(null, "html"),
                new IllegalStateException("client bug"));
        for (final Throwable cause : causes) {
            assertNull(AlertDecoder.malformedCode(new SchemaRegistryException("cannot fetch", cause)), cause.toString());
        }
        for (final int status : new int[] {200, 204, 301, 302, 304, 307, 308, 401, 403, 407, 408, 429, 500, 502, 503, 504}) {
            assertNull(AlertDecoder.malformedCode(new SchemaRegistryException("x", status, SchemaRegistryException.NO_ERROR_CODE)),
                    "http " + status);
            assertNull(AlertDecoder.malformedCode(new SchemaRegistryException("x", status, 40403)), "http " + status + " 40403");
        }
        for (final int code : new int[] {SchemaRegistryException.NO_ERROR_CODE, 404, 40401, 40402, 50001}) {
            assertNull(AlertDecoder.malformedCode(new SchemaRegistryException("x", 404, code)), "404 error_code " + code);
        }
        assertEquals(AlertDecoder.UNKNOWN_SCHEMA_ID, AlertDecoder.malformedCode(new SchemaRegistryException("x", 404, 40403)));
        assertEquals(AlertDecoder.NOT_AN_AVRO_SCHEMA, AlertDecoder.malformedCode(
                new SchemaRegistryException("not Avro", new SchemaParseException("No type"))));
        assertEquals(AlertDecoder.SCHEMA_ID_REFUSED, AlertDecoder.malformedCode(new SchemaRegistryException("x", 400, 400)));
        assertEquals(AlertDecoder.SCHEMA_ID_REFUSED, AlertDecoder.malformedCode(new SchemaRegistryException("x", 422, 42201)));
    }

    @Test
    void shouldCallOnlyRecordsThatCanNeverBeReadMalformed() {
        final AlertDecoder d = decoder();
        final byte[] good = FakeRegistry.framed(FakeRegistry.ALERT_ID, alert);
        final List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {null, AlertDecoder.NULL_VALUE});
        cases.add(new Object[] {new byte[0], AlertDecoder.NOT_REGISTRY_FRAMED});
        for (int n = 1; n < 5; n++) {
            cases.add(new Object[] {Arrays.copyOf(good, n), AlertDecoder.NOT_REGISTRY_FRAMED});
        }
        for (final int magic : new int[] {1, 2, 0x7F, 0x80, 0xFF, '{', 'n'}) {
            final byte[] b = good.clone();
            b[0] = (byte) magic;
            cases.add(new Object[] {b, AlertDecoder.NOT_REGISTRY_FRAMED});
        }
        cases.add(new Object[] {"not avro".getBytes(StandardCharsets.UTF_8), AlertDecoder.NOT_REGISTRY_FRAMED});
        cases.add(new Object[] {"{\"alert_id\":\"x\"}".getBytes(StandardCharsets.UTF_8), AlertDecoder.NOT_REGISTRY_FRAMED});
        for (final int id : new int[] {0, 3, 999, Integer.MAX_VALUE, -1, Integer.MIN_VALUE}) {
            cases.add(new Object[] {FakeRegistry.framed(id, alert), AlertDecoder.UNKNOWN_SCHEMA_ID});
        }
        cases.add(new Object[] {FakeRegistry.framed(FakeRegistry.PROTOBUF_ID, alert), AlertDecoder.NOT_AN_AVRO_SCHEMA});
        cases.add(new Object[] {FakeRegistry.framed(FakeRegistry.REFUSED_ID, alert), AlertDecoder.SCHEMA_ID_REFUSED});
        // Every truncation of a good record past its header, and trailing garbage.
        for (int n = 5; n < good.length; n++) {
            cases.add(new Object[] {Arrays.copyOf(good, n), AlertDecoder.CORRUPT_AVRO});
        }
        cases.add(new Object[] {Arrays.copyOf(good, good.length + 1), AlertDecoder.CORRUPT_AVRO});
        final byte[] badUtf8 = good.clone();
        badUtf8[6] = (byte) 0xC3;  // first string's first byte: a lead byte without its continuation
        badUtf8[7] = (byte) 0x28;
        cases.add(new Object[] {badUtf8, AlertDecoder.CORRUPT_AVRO});
        final byte[] hugeLength = good.clone();
        hugeLength[5] = (byte) 0xFE;  // a string length far beyond the record
        cases.add(new Object[] {hugeLength, AlertDecoder.CORRUPT_AVRO});
        for (final Object[] c : cases) {
            final byte[] value = (byte[]) c[0];
            final AlertDecoder.Decoded decoded = decode(d, value);
            final String what = value == null ? "null" : value.length + " bytes " + Arrays.toString(Arrays.copyOf(value, Math.min(8, value.length)));
            assertInstanceOf(AlertDecoder.Malformed.class, decoded, what);
            assertEquals(c[1], ((AlertDecoder.Malformed) decoded).code(), what);
        }
        assertTrue(cases.size() > 40, "cases: " + cases.size());
    }

    @Test
    void shouldNeverThrowNorWaitOnRandomlyDamagedRecordsWhileTheRegistryIsUp() {
        final AlertDecoder d = decoder();
        final byte[] good = FakeRegistry.framed(FakeRegistry.ALERT_ID, alert);
        final Random random = new Random(5L);
        int alerts = 0;
        for (int i = 0; i < 2_000; i++) {
            final byte[] b = good.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                // Leave the header alone in most cases, so the damage reaches the Avro body.
                final int at = i % 10 == 0 ? random.nextInt(b.length) : 5 + random.nextInt(b.length - 5);
                b[at] = (byte) random.nextInt(256);
            }
            final AlertDecoder.Decoded decoded = decode(d, b);
            assertFalse(decoded instanceof AlertDecoder.RegistryUnavailable && registryAnswersFor(b),
                    "a healthy registry made a damaged record wait: " + decoded);
            if (decoded instanceof AlertDecoder.Alert) {
                alerts++;
            }
        }
        assertTrue(alerts < 2_000, "damage was noticed");
    }

    /** True when the registry (up) gives an answer about the id in {@code b}: every id, here. */
    private static boolean registryAnswersFor(final byte[] b) {
        return b.length >= 5 && b[0] == 0;
    }
}
