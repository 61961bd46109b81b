package dev.vigil.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A Confluent-compatible schema registry served over HTTP from inside {@code vigil run}'s
 * embedded default, so that {@code vigil produce} and {@code vigil tail} in other processes share
 * its ids through the same REST API a real registry speaks. State is held in memory; with a
 * journal (below) it also survives a restart, like the embedded broker's topics.
 *
 * <p>Serves the subset that Vigil and Confluent's clients use: register, lookup by id, subjects
 * and versions, lookup of a schema under a subject, and global/subject compatibility config.
 * Registration checks compatibility with Avro's {@link SchemaCompatibility} (default
 * {@code BACKWARD}: new readers must read the latest registered data) and answers with
 * Confluent's status and error codes (409 incompatible, 422/42201 invalid schema, 404/40401
 * subject, 40402 version, 40403 schema not found).
 *
 * <p>With a journal file ({@link #start(String, int, Path)}), every registration and
 * compatibility change is appended to it and replayed on start. The embedded broker keeps its
 * topics across restarts of {@code vigil run}, so the registry must keep its ids too: records
 * written before a restart carry ids that must still name the same schemas after it.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = HttpSchemaRegistryClient.CONTENT_TYPE;
    private static final Set<String> LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
            "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

    private final HttpServer server;
    private final ExecutorService executor;
    private final String url;

    // Ids are global and keyed by the schema's normalised text, as in Confluent's registry: the
    // same schema under two subjects has one id. Guarded by "this".
    private final List<Schema> schemasById = new ArrayList<>();
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();
    private final Map<String, String> compatibilityBySubject = new HashMap<>();
    private String globalCompatibility = "BACKWARD";
    private Path journal;

    private EmbeddedSchemaRegistry(final HttpServer server, final ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        final InetSocketAddress address = server.getAddress();
        this.url = "http://" + address.getHostString() + ":" + address.getPort();
    }

    /** Starts serving on {@code host:port} (port 0: any free port), state in memory only. */
    public static EmbeddedSchemaRegistry start(final String host, final int port) {
        return start(host, port, null);
    }

    /**
     * Starts serving on {@code host:port}, first replaying {@code journal} (if it exists) and then
     * appending every change to it, so ids survive a restart. {@code null}: memory only.
     */
    public static EmbeddedSchemaRegistry start(final String host, final int port, final Path journal) {
        final HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot serve the embedded schema registry on " + host + ":" + port
                    + " (is the port in use?)", e);
        }
        final ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
            final Thread thread = new Thread(runnable, "vigil-schema-registry");
            thread.setDaemon(true);
            return thread;
        });
        final EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(server, executor);
        if (journal != null) {
            registry.replay(journal);
            registry.journal = journal;
        }
        server.createContext("/", registry::handle);
        server.setExecutor(executor);
        server.start();
        return registry;
    }

    /** Base URL to give {@link SchemaRegistries#forUrl}. */
    public String url() {
        return url;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            Reply reply;
            try {
                reply = route(exchange.getRequestMethod(), segments(exchange.getRequestURI().getRawPath()),
                        exchange.getRequestURI().getRawQuery(), exchange.getRequestBody());
            } catch (final Problem problem) {
                reply = error(problem.status, problem.errorCode, problem.getMessage());
            } catch (final IOException | RuntimeException e) {
                reply = error(500, 50001, "internal error: " + e.getClass().getSimpleName());
            }
            final byte[] body = JSON.writeValueAsBytes(reply.body);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(reply.status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private Reply route(final String method, final List<String> path, final String query, final InputStream in)
            throws IOException {
        final int n = path.size();
        if (n == 3 && path.get(0).equals("schemas") && path.get(1).equals("ids") && method.equals("GET")) {
            return ok(schemaById(parseInt(path.get(2), 40403, "Schema " + path.get(2) + " not found")));
        }
        if (n == 1 && path.get(0).equals("subjects") && method.equals("GET")) {
            return ok(subjects());
        }
        if (n == 2 && path.get(0).equals("subjects") && method.equals("POST")) {
            return ok(lookup(path.get(1), parseSchema(readBody(in))));
        }
        if (n == 3 && path.get(0).equals("subjects") && path.get(2).equals("versions")) {
            if (method.equals("POST")) {
                return ok(register(path.get(1), parseSchema(readBody(in))));
            }
            if (method.equals("GET")) {
                return ok(versions(path.get(1)));
            }
        }
        if (n == 4 && path.get(0).equals("subjects") && path.get(2).equals("versions") && method.equals("GET")) {
            return ok(version(path.get(1), path.get(3)));
        }
        if ((n == 1 || n == 2) && path.get(0).equals("config")) {
            final String subject = n == 2 ? path.get(1) : null;
            if (method.equals("GET")) {
                return ok(config(subject, query != null && query.contains("defaultToGlobal=true")));
            }
            if (method.equals("PUT")) {
                return ok(setConfig(subject, readBody(in)));
            }
        }
        throw new Problem(404, 404, "HTTP 404 Not Found: " + method + " /" + String.join("/", path)
                + " is not served by the embedded registry");
    }

    private synchronized JsonNode register(final String subject, final Schema schema) {
        final String text = schema.toString();
        final List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
        final Integer existing = idsBySchema.get(text);
        if (existing != null && versions.contains(existing)) {
            return JSON.createObjectNode().put("id", existing);
        }
        final String level = compatibilityBySubject.getOrDefault(subject, globalCompatibility);
        final List<Schema> against = previous(versions, level);
        for (final Schema old : against) {
            final boolean backward = !level.startsWith("FORWARD") && !level.equals("NONE");
            final boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
            if ((backward && !compatible(schema, old)) || (forward && !compatible(old, schema))) {
                throw new Problem(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                        + subject + "\" under compatibility " + level);
            }
        }
        final int id = existing != null ? existing : nextId(schema, text);
        versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        record(JSON.createObjectNode().put("subject", subject).put("schema", text));
        return JSON.createObjectNode().put("id", id);
    }

    private void replay(final Path file) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                final JsonNode entry = JSON.readTree(line);
                final String subject = entry.path("subject").isMissingNode() || entry.path("subject").isNull()
                        ? null : entry.path("subject").asText();
                if (entry.has("schema")) {
                    register(subject, new Schema.Parser().parse(entry.path("schema").asText()));
                } else if (entry.has("compatibility")) {
                    setConfig(subject, JSON.createObjectNode().put("compatibility", entry.path("compatibility").asText())
                            .toString());
                }
            }
        } catch (final IOException | RuntimeException e) {
            throw new IllegalStateException("cannot replay the embedded registry journal " + file
                    + "; delete it together with the embedded broker's data to start afresh", e);
        }
    }

    /** Appends one change to the journal, if there is one; called with the lock held. */
    private void record(final ObjectNode entry) {
        if (journal == null) {
            return;
        }
        try {
            Files.createDirectories(journal.toAbsolutePath().getParent());
            Files.writeString(journal, entry.toString() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write the embedded registry journal " + journal, e);
        }
    }

    private int nextId(final Schema schema, final String text) {
        schemasById.add(schema);
        final int id = schemasById.size();
        idsBySchema.put(text, id);
        return id;
    }

    private List<Schema> previous(final List<Integer> versions, final String level) {
        if (versions.isEmpty() || level.equals("NONE")) {
            return List.of();
        }
        if (level.endsWith("_TRANSITIVE")) {
            return versions.stream().map(id -> schemasById.get(id - 1)).toList();
        }
        return List.of(schemasById.get(versions.get(versions.size() - 1) - 1));
    }

    private static boolean compatible(final Schema reader, final Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    private synchronized JsonNode schemaById(final int id) {
        if (id < 1 || id > schemasById.size()) {
            throw new Problem(404, 40403, "Schema " + id + " not found");
        }
        return JSON.createObjectNode().put("schema", schemasById.get(id - 1).toString());
    }

    private synchronized JsonNode subjects() {
        final ArrayNode names = JSON.createArrayNode();
        versionsBySubject.keySet().forEach(names::add);
        return names;
    }

    private synchronized JsonNode versions(final String subject) {
        final List<Integer> versions = subjectVersions(subject);
        final ArrayNode numbers = JSON.createArrayNode();
        for (int v = 1; v <= versions.size(); v++) {
            numbers.add(v);
        }
        return numbers;
    }

    private synchronized JsonNode version(final String subject, final String version) {
        final List<Integer> versions = subjectVersions(subject);
        final int v = version.equals("latest") ? versions.size()
                : parseInt(version, 40402, "Version " + version + " not found.");
        if (v < 1 || v > versions.size()) {
            throw new Problem(404, 40402, "Version " + version + " not found.");
        }
        return describe(subject, v, versions.get(v - 1));
    }

    private synchronized JsonNode lookup(final String subject, final Schema schema) {
        final List<Integer> versions = subjectVersions(subject);
        final Integer id = idsBySchema.get(schema.toString());
        final int index = id == null ? -1 : versions.indexOf(id);
        if (index < 0) {
            throw new Problem(404, 40403, "Schema not found");
        }
        return describe(subject, index + 1, id);
    }

    private ObjectNode describe(final String subject, final int version, final int id) {
        return JSON.createObjectNode()
                .put("subject", subject)
                .put("version", version)
                .put("id", id)
                .put("schema", schemasById.get(id - 1).toString());
    }

    private List<Integer> subjectVersions(final String subject) {
        final List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null) {
            throw new Problem(404, 40401, "Subject '" + subject + "' not found.");
        }
        return versions;
    }

    private synchronized JsonNode config(final String subject, final boolean defaultToGlobal) {
        final String level;
        if (subject == null) {
            level = globalCompatibility;
        } else if (compatibilityBySubject.containsKey(subject)) {
            level = compatibilityBySubject.get(subject);
        } else if (defaultToGlobal) {
            level = globalCompatibility;
        } else {
            throw new Problem(404, 40408, "Subject '" + subject + "' does not have subject-level compatibility configured");
        }
        return JSON.createObjectNode().put("compatibilityLevel", level);
    }

    private synchronized JsonNode setConfig(final String subject, final String body) {
        final String level;
        try {
            level = JSON.readTree(body).path("compatibility").asText("").toUpperCase(Locale.ROOT);
        } catch (final IOException e) {
            throw new Problem(422, 42203, "Invalid compatibility level: the body is not JSON");
        }
        if (!LEVELS.contains(level)) {
            throw new Problem(422, 42203, "Invalid compatibility level. Valid values are " + LEVELS);
        }
        if (subject == null) {
            globalCompatibility = level;
        } else {
            compatibilityBySubject.put(subject, level);
        }
        record(JSON.createObjectNode().put("subject", subject).put("compatibility", level));
        return JSON.createObjectNode().put("compatibility", level);
    }

    private static Schema parseSchema(final String body) {
        final JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (final IOException e) {
            throw new Problem(422, 42201, "Invalid request: the body is not JSON");
        }
        final String type = request.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new Problem(422, 42201, "Invalid schema: only AVRO schemas are served, not " + type);
        }
        final String text = request.path("schema").asText(null);
        if (text == null) {
            throw new Problem(422, 42201, "Invalid schema: the request has no \"schema\" field");
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (final RuntimeException e) {
            // SchemaParseException for bad Avro, AvroRuntimeException and others for bad JSON.
            throw new Problem(422, 42201, "Invalid schema: " + e.getMessage());
        }
    }

    private static String readBody(final InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static List<String> segments(final String rawPath) {
        final List<String> segments = new ArrayList<>();
        for (final String raw : rawPath.split("/")) {
            if (!raw.isEmpty()) {
                segments.add(URLDecoder.decode(raw, StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private static int parseInt(final String text, final int errorCode, final String message) {
        try {
            return Integer.parseInt(text);
        } catch (final NumberFormatException e) {
            throw new Problem(404, errorCode, message);
        }
    }

    private static Reply ok(final JsonNode body) {
        return new Reply(200, body);
    }

    private static Reply error(final int status, final int errorCode, final String message) {
        return new Reply(status, JSON.createObjectNode().put("error_code", errorCode).put("message", message));
    }

    private record Reply(int status, JsonNode body) {
    }

    /** An error answer in Confluent's shape: HTTP status plus {@code error_code}. */
    private static final class Problem extends RuntimeException {
        private final int status;
        private final int errorCode;

        Problem(final int status, final int errorCode, final String message) {
            super(message, null, false, false);
            this.status = status;
            this.errorCode = errorCode;
        }
    }
}
