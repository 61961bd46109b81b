package dev.vigil.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small client for the Confluent-compatible schema registry REST API (Confluent Schema
 * Registry, Apicurio's {@code /apis/ccompat/v7}, Vigil's embedded registry), on the JDK's
 * {@link HttpClient}. Confluent's own client is not on Maven Central, and Vigil needs two calls:
 * register a schema under a subject, fetch a schema by id. Both are cached, so a running
 * application talks to the registry once per subject and once per id.
 *
 * <p>Settings use Confluent's client names: {@code basic.auth.user.info} ({@code user:password}),
 * {@code schema.registry.ssl.truststore.location|password|type}; plus
 * {@code schema.registry.max.retries} and {@code schema.registry.retry.backoff.ms} for the
 * retries on 5xx answers and connection failures.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String MAX_RETRIES = "schema.registry.max.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final int maxRetries;
    private final long backoffMs;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final SchemaRegistryStatus status = new SchemaRegistryStatus();

    /**
     * @param baseUrl the registry's base URL, e.g. {@code http://127.0.0.1:8081} or
     *                {@code http://host:8080/apis/ccompat/v7}
     * @param config  client settings (see the class comment); unknown keys are ignored
     */
    public HttpSchemaRegistryClient(final String baseUrl, final Map<String, String> config) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.maxRetries = Integer.parseInt(config.getOrDefault(MAX_RETRIES, "4"));
        this.backoffMs = Long.parseLong(config.getOrDefault(RETRY_BACKOFF_MS, "200"));
        this.authorization = Optional.ofNullable(config.get(BASIC_AUTH_USER_INFO))
                .filter(info -> !info.isBlank())
                .map(info -> "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8)));
        final HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
        final String truststore = config.get(TRUSTSTORE_LOCATION);
        if (truststore != null && !truststore.isBlank()) {
            builder.sslContext(sslContext(truststore, config.get(TRUSTSTORE_PASSWORD),
                    config.getOrDefault(TRUSTSTORE_TYPE, KeyStore.getDefaultType())));
        }
        this.http = builder.build();
    }

    @Override
    public int register(final String subject, final Schema schema) {
        final Map<Schema, Integer> known = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        final Integer cached = known.get(schema);
        if (cached != null) {
            return cached;
        }
        final int id = register(subject, schema.toString(), schema.getFullName());
        known.put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** Registers schema text as given, uncached: what {@link #register(String, Schema)} sends. */
    int register(final String subject, final String schemaText, final String what) {
        final String body = JSON.createObjectNode().put("schema", schemaText).toString();
        final JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", body,
                "register the schema of " + what + " under subject '" + subject + "'");
        final int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryException("the registry at " + baseUrl + " answered a registration of subject '"
                    + subject + "' without an id: " + answer, 200, SchemaRegistryException.NO_ERROR_CODE);
        }
        return id;
    }

    @Override
    public SchemaRegistryStatus status() {
        return status;
    }

    @Override
    public Schema schemaById(final int id) {
        final Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        final JsonNode answer = send("GET", "/schemas/ids/" + id, null, "fetch schema id " + id);
        final String text = answer.path("schema").asText(null);
        if (text == null) {
            throw new SchemaRegistryException("the registry at " + baseUrl + " answered schema id " + id
                    + " without a schema", 200, SchemaRegistryException.NO_ERROR_CODE);
        }
        final Schema schema;
        try {
            schema = new Schema.Parser().parse(text);
        } catch (final RuntimeException e) {
            throw new SchemaRegistryException("schema id " + id + " from " + baseUrl + " is not an Avro schema", e);
        }
        schemasById.put(id, schema);
        return schema;
    }

    /** Sends one request, retrying 5xx answers and connection failures with exponential backoff. */
    private JsonNode send(final String method, final String path, final String body, final String what) {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", CONTENT_TYPE + ", application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        authorization.ifPresent(value -> request.header("Authorization", value));
        long backoff = backoffMs;
        for (int attempt = 0; ; attempt++) {
            final boolean lastAttempt = attempt >= maxRetries;
            try {
                final HttpResponse<String> response = http.send(request.build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                final int status = response.statusCode();
                if (status / 100 == 2) {
                    this.status.answered();
                    return parseAnswer(response.body(), what);
                }
                final SchemaRegistryException failure = failure(status, response.body(), what);
                if (failure.registryUnavailable()) {
                    this.status.failed();
                } else {
                    this.status.answered();
                }
                if ((status / 100 != 5 && status != 429) || lastAttempt) {
                    throw failure;
                }
            } catch (final SSLException e) {
                // Retrying cannot fix an untrusted certificate.
                throw new SchemaRegistryException("cannot " + what + ": TLS with the schema registry at " + baseUrl
                        + " failed (" + e.getMessage() + "); check " + TRUSTSTORE_LOCATION + " and its password/type", e);
            } catch (final IOException e) {
                this.status.failed();
                if (lastAttempt) {
                    throw new SchemaRegistryException("cannot " + what + ": the schema registry at " + baseUrl
                            + " is unreachable after " + (attempt + 1) + " attempts (" + e
                            + "); check --schema-registry-url and that the registry is running", e);
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while trying to " + what, e);
            }
            sleep(backoff);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    private JsonNode parseAnswer(final String body, final String what) {
        try {
            return JSON.readTree(body);
        } catch (final IOException e) {
            // Not retried: a proxy or a non-registry server answered; the URL is the likely culprit.
            throw new SchemaRegistryException("cannot " + what + ": " + baseUrl + " answered with something other "
                    + "than JSON; check that the URL is the registry's Confluent-compatible base", e);
        }
    }

    /** Turns an error answer into an exception whose message says what to do about it. */
    private SchemaRegistryException failure(final int status, final String body, final String what) {
        int errorCode = SchemaRegistryException.NO_ERROR_CODE;
        String serverMessage = body == null ? "" : abbreviate(body.strip());
        try {
            final JsonNode error = JSON.readTree(body);
            errorCode = error.path("error_code").asInt(SchemaRegistryException.NO_ERROR_CODE);
            serverMessage = error.path("message").asText(serverMessage);
        } catch (final IOException | RuntimeException notJson) {
            // Proxies and load balancers answer HTML; keep the raw text as the server's message.
        }
        final String advice = switch (status) {
            case 401, 403 -> "the registry refused the credentials: check " + BASIC_AUTH_USER_INFO + " (user:password)";
            case 404 -> switch (errorCode) {
                case 40401 -> "the subject does not exist in this registry";
                case 40403 -> "the schema id is not known to this registry: the data was written against another "
                        + "registry, or an in-memory registry was restarted; point the reader at the registry "
                        + "the writer used";
                default -> "nothing answers this path: check that the URL is the registry's Confluent-compatible "
                        + "base (for Apicurio it ends in /apis/ccompat/v7)";
            };
            case 409 -> "the schema is incompatible with the versions already registered under the subject's "
                    + "compatibility rule: only add fields with defaults (and never remove or rename fields), "
                    + "or register under a new subject";
            case 422 -> "the registry rejected the request as invalid (not a valid Avro schema, or a bad "
                    + "compatibility level)";
            default -> status / 100 == 5 ? "the registry kept failing after " + (maxRetries + 1) + " attempts"
                    : "unexpected answer";
        };
        return new SchemaRegistryException("cannot " + what + " at " + baseUrl + ": HTTP " + status
                + (errorCode == SchemaRegistryException.NO_ERROR_CODE ? "" : " error_code " + errorCode)
                + " (" + serverMessage + "): " + advice, status, errorCode);
    }

    private static String abbreviate(final String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while waiting to retry a registry request", e);
        }
    }

    private static String encode(final String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static SSLContext sslContext(final String location, final String password, final String type) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            final KeyStore trust = KeyStore.getInstance(type);
            trust.load(in, password == null ? null : password.toCharArray());
            final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (final IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load the schema registry trust store " + location
                    + " (type " + type + "): " + e.getMessage(), e);
        }
    }
}
