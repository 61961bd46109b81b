package dev.vigil.alert.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.schema.SafetyAlert;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Confluent-compatible registry on 127.0.0.1 that serves {@code GET /schemas/ids/{id}} and can
 * be told to fail in every way a real one (or the network, or a proxy in front of it) does.
 */
final class FakeRegistry implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Ids that resolve to the SafetyAlert schema; any other id is "not found" (40403). */
    static final int ALERT_ID = 1;
    static final int ALERT_ID_2 = 2;
    /** An id whose schema is Protobuf, not Avro. */
    static final int PROTOBUF_ID = 7;
    /** An id the registry refuses as invalid (400). */
    static final int REFUSED_ID = 8;

    /** How the registry answers. */
    enum Mode {
        UP(0), HTTP_500(500), HTTP_502(502), HTTP_503(503), HTTP_504(504), HTTP_429(429), HTTP_401(401),
        HTTP_403(403), HTTP_407(407), HTTP_408(408), WRONG_PATH_404(404), REDIRECT_301(301), REDIRECT_307(307),
        HTML_200(200), NO_SCHEMA_200(200), CONNECTION_RESET(0);

        final int status;

        Mode(final int status) {
            this.status = status;
        }
    }

    private final HttpServer server;
    private final Map<Integer, String> schemas = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Mode mode = Mode.UP;
    private volatile String requiredAuthorization;

    FakeRegistry() throws IOException {
        schemas.put(ALERT_ID, SafetyAlert.getClassSchema().toString());
        schemas.put(ALERT_ID_2, SafetyAlert.getClassSchema().toString());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    FakeRegistry mode(final Mode m) {
        mode = m;
        return this;
    }

    /** Answer 401 to requests without this {@code Authorization} header. */
    FakeRegistry requireAuthorization(final String value) {
        requiredAuthorization = value;
        return this;
    }

    int requests() {
        return requests.get();
    }

    private void handle(final HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        final Mode m = mode;
        if (m == Mode.CONNECTION_RESET) {
            // No answer at all: the connection just closes.
            ex.close();
            return;
        }
        try (ex) {
            final String auth = requiredAuthorization;
            if (auth != null && !auth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
                return;
            }
            switch (m) {
                case UP -> serve(ex);
                case WRONG_PATH_404 -> send(ex, 404, "<html><body>Not Found</body></html>");
                case REDIRECT_301, REDIRECT_307 -> {
                    ex.getResponseHeaders().set("Location", "https://elsewhere.invalid/");
                    send(ex, m.status, "");
                }
                case HTML_200 -> send(ex, 200, "<html>proxy login</html>");
                case NO_SCHEMA_200 -> send(ex, 200, "{\"id\":1}");
                default -> send(ex, m.status, "{\"error_code\":" + m.status + "01,\"message\":\"failing\"}");
            }
        }
    }

    private void serve(final HttpExchange ex) throws IOException {
        final String path = ex.getRequestURI().getPath();
        if (!path.startsWith("/schemas/ids/")) {
            send(ex, 404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
            return;
        }
        final int id;
        try {
            id = Integer.parseInt(path.substring("/schemas/ids/".length()));
        } catch (final NumberFormatException e) {
            send(ex, 404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
            return;
        }
        if (id == PROTOBUF_ID) {
            send(ex, 200, JSON.writeValueAsString(Map.of("schemaType", "PROTOBUF",
                    "schema", "syntax = \"proto3\"; message Alert { string id = 1; }")));
        } else if (id == REFUSED_ID) {
            send(ex, 400, "{\"error_code\":400,\"message\":\"Bad request\"}");
        } else if (schemas.containsKey(id)) {
            send(ex, 200, JSON.writeValueAsString(Map.of("schema", schemas.get(id))));
        } else {
            send(ex, 404, "{\"error_code\":40403,\"message\":\"Schema " + id + " not found\"}");
        }
    }

    private static void send(final HttpExchange ex, final int status, final String body) throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    /** {@code alert} in the registry wire format with schema id {@code id}. */
    static byte[] framed(final int id, final SafetyAlert alert) {
        final ByteArrayOutputStream out = dev.vigil.testing.BadRecords.frameHeader(id);
        try {
            final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>(SafetyAlert.class).write(alert, encoder);
            encoder.flush();
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
