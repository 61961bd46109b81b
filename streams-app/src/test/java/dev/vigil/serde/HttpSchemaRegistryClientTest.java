package dev.vigil.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.SafetyAlert;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST client against a local stub of the Confluent API that answers what each test scripts. */
class HttpSchemaRegistryClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> FAST_RETRIES = Map.of(HttpSchemaRegistryClient.RETRY_BACKOFF_MS, "1");

    private HttpServer server;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private record Answer(int status, String body) {
    }

    private record Request(String method, String rawPath, String body, String authorization, String contentType) {
    }

    @BeforeEach
    void startStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stopStub() {
        server.stop(0);
    }

    private synchronized void answer(final HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type")));
            final Answer answer = script.isEmpty() ? new Answer(500, "{\"error_code\":50001,\"message\":\"unscripted\"}")
                    : script.poll();
            final byte[] body = answer.body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7/";
    }

    private HttpSchemaRegistryClient client(final Map<String, String> config) {
        return (HttpSchemaRegistryClient) SchemaRegistries.forUrl(url(), config);
    }

    @Test
    void shouldRegisterUnderTheSubjectAndAskOnlyOnce() throws IOException {
        script.add(new Answer(200, "{\"id\":7}"));
        final HttpSchemaRegistryClient client = client(FAST_RETRIES);
        final Schema schema = MessageSignals.getClassSchema();

        assertEquals(7, client.register("message-signals-value", schema));
        assertEquals(7, client.register("message-signals-value", schema), "cached");
        assertEquals(schema, client.schemaById(7), "a registered schema is known by its id without asking");

        assertEquals(1, requests.size());
        final Request request = requests.get(0);
        assertEquals("POST", request.method);
        assertEquals("/apis/ccompat/v7/subjects/message-signals-value/versions", request.rawPath);
        assertEquals("application/vnd.schemaregistry.v1+json", request.contentType);
        final JsonNode body = JSON.readTree(request.body);
        assertEquals(schema, new Schema.Parser().parse(body.get("schema").asText()));
    }

    @Test
    void shouldFetchASchemaByIdOnceAndEncodeSubjectNames() {
        script.add(new Answer(200, JSON.createObjectNode().put("schema", SafetyAlert.getClassSchema().toString()).toString()));
        script.add(new Answer(200, "{\"id\":3}"));
        final HttpSchemaRegistryClient client = client(FAST_RETRIES);

        assertEquals(SafetyAlert.getClassSchema(), client.schemaById(12));
        assertEquals(SafetyAlert.getClassSchema(), client.schemaById(12));
        client.register("alerts v2/value", SafetyAlert.getClassSchema());

        assertEquals(2, requests.size());
        assertEquals("/apis/ccompat/v7/schemas/ids/12", requests.get(0).rawPath);
        assertEquals("GET", requests.get(0).method);
        assertEquals("/apis/ccompat/v7/subjects/alerts%20v2%2Fvalue/versions", requests.get(1).rawPath);
    }

    @Test
    void shouldExplainAnIncompatibleSchema() {
        script.add(new Answer(409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}"));
        final SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> client(FAST_RETRIES).register("message-signals-value", MessageSignals.getClassSchema()));
        assertEquals(409, e.status());
        assertEquals(409, e.errorCode());
        assertTrue(e.getMessage().contains("message-signals-value"), e.getMessage());
        assertTrue(e.getMessage().contains("only add fields with defaults"), e.getMessage());
        assertEquals(1, requests.size(), "a 4xx is not retried");
    }

    @Test
    void shouldExplainAnInvalidSchemaAndAnUnknownId() {
        script.add(new Answer(422, "{\"error_code\":42201,\"message\":\"Invalid schema\"}"));
        script.add(new Answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}"));
        final HttpSchemaRegistryClient client = client(FAST_RETRIES);

        final SchemaRegistryException invalid = assertThrows(SchemaRegistryException.class,
                () -> client.register("s-value", MessageSignals.getClassSchema()));
        assertEquals(422, invalid.status());
        assertEquals(42201, invalid.errorCode());
        assertTrue(invalid.getMessage().contains("Invalid schema"), "keeps the registry's own words: " + invalid.getMessage());

        final SchemaRegistryException unknown = assertThrows(SchemaRegistryException.class, () -> client.schemaById(41));
        assertEquals(404, unknown.status());
        assertEquals(40403, unknown.errorCode());
        assertTrue(unknown.getMessage().contains("schema id 41"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("registry the writer used"), unknown.getMessage());
        assertFalse(unknown.registryUnavailable(), "an unknown id is the record's fault: dead-letter it");
        assertFalse(invalid.registryUnavailable());
        assertTrue(client.status().up(), "the registry answered: it is up");
        assertEquals(0, client.status().errors());
    }

    @Test
    void shouldPointAtTheUrlWhenNothingAnswersThePath() {
        script.add(new Answer(404, "<html>Not Found</html>"));
        final SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> client(FAST_RETRIES).schemaById(1));
        assertEquals(SchemaRegistryException.NO_ERROR_CODE, e.errorCode());
        assertTrue(e.getMessage().contains("/apis/ccompat/v7"), e.getMessage());
    }

    @Test
    void shouldNotRetryAnAnswerThatIsNotJson() {
        script.add(new Answer(200, "<html>a login page</html>"));
        final SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> client(FAST_RETRIES).schemaById(1));
        assertTrue(e.getMessage().contains("other than JSON"), e.getMessage());
        assertEquals(1, requests.size());
    }

    @Test
    void shouldRetryServerErrorsUntilTheRegistryAnswers() {
        script.add(new Answer(503, "{\"error_code\":50003,\"message\":\"busy\"}"));
        script.add(new Answer(500, "oops"));
        script.add(new Answer(200, "{\"id\":5}"));
        final HttpSchemaRegistryClient client = client(FAST_RETRIES);
        assertEquals(5, client.register("s-value", MessageSignals.getClassSchema()));
        assertEquals(3, requests.size());
        assertEquals(2, client.status().errors(), "the two failed attempts");
        assertTrue(client.status().up(), "up again once it answered");
    }

    @Test
    void shouldGiveUpAfterTheConfiguredRetries() {
        for (int i = 0; i < 10; i++) {
            script.add(new Answer(503, "{\"error_code\":50003,\"message\":\"still busy\"}"));
        }
        final SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client(Map.of(
                HttpSchemaRegistryClient.RETRY_BACKOFF_MS, "1", HttpSchemaRegistryClient.MAX_RETRIES, "2"))
                .schemaById(1));
        assertEquals(503, e.status());
        assertEquals(3, requests.size(), "first attempt plus two retries");
        assertTrue(e.registryUnavailable(), "a registry that keeps failing says nothing about the record");
    }

    @Test
    void shouldRetryAndThenReportAnUnreachableRegistry() throws IOException {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        final SchemaRegistryClient client = SchemaRegistries.forUrl("http://127.0.0.1:" + closedPort,
                Map.of(HttpSchemaRegistryClient.RETRY_BACKOFF_MS, "1", HttpSchemaRegistryClient.MAX_RETRIES, "2"));
        final SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(1));
        assertEquals(0, e.status());
        assertTrue(e.getMessage().contains("unreachable after 3 attempts"), e.getMessage());
        assertTrue(e.registryUnavailable(), "unreachable is an outage, not a bad record");
        assertFalse(client.status().up(), "health reports the outage");
        assertEquals(3, client.status().errors(), "every failed attempt is counted");
    }

    @Test
    void shouldSendBasicAuthFromUserInfo() {
        script.add(new Answer(200, "{\"id\":1}"));
        client(Map.of(HttpSchemaRegistryClient.BASIC_AUTH_USER_INFO, "vigil:s3cret:with-colon"))
                .register("s-value", MessageSignals.getClassSchema());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("vigil:s3cret:with-colon".getBytes(StandardCharsets.UTF_8)),
                requests.get(0).authorization);
    }

    @Test
    void shouldTellTheUserToCheckCredentialsWhenRefused() {
        script.add(new Answer(401, "{\"error_code\":40101,\"message\":\"Unauthorized\"}"));
        final SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> client(FAST_RETRIES).register("s-value", MessageSignals.getClassSchema()));
        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains("basic.auth.user.info"), e.getMessage());
    }

    @Test
    void shouldSendNoCredentialsWhenNoneAreConfigured() {
        script.add(new Answer(200, "{\"id\":1}"));
        client(FAST_RETRIES).register("s-value", MessageSignals.getClassSchema());
        assertNull(requests.get(0).authorization);
    }

    @Test
    void shouldRejectAnUnsupportedUrlScheme() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SchemaRegistries.forUrl("ftp://registry", Map.of()));
        assertTrue(e.getMessage().contains("mock://"), e.getMessage());
    }
}
