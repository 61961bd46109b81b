package dev.vigil.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.http.NonBlockingHttpServer.Lane;
import dev.vigil.http.NonBlockingHttpServer.Limits;
import dev.vigil.http.NonBlockingHttpServer.Response;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Vigil's one small HTTP server: {@code /metrics} for Prometheus, {@code /health/live} and
 * {@code /health/ready} for Kubernetes probes, and read-only JSON views {@code /api/alerts} and
 * {@code /api/aggregates} for people. Every response is labels, counts and states: never
 * conversation text.
 *
 * <p>Liveness is RUNNING or REBALANCING (a rebalance is normal, restarting the pod for it would
 * only cause another); readiness is RUNNING only.
 *
 * <p>No client can stall it (see {@link NonBlockingHttpServer}): idle, slow or half-sent
 * connections hold no thread, and the probes, the scrape and the views each have their own
 * bounded pool, so a slow scrape never delays a probe. With an {@link ApiToken}, {@code /api/*}
 * answers 401 to a request without {@code Authorization: Bearer <token>}; {@code /metrics} and
 * {@code /health/*} stay open for Prometheus and the kubelet.
 */
public final class VigilHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VigilHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Probes: cheap answers, their own threads so nothing else can queue ahead of them. */
    static final Lane PROBES = new Lane("health", 2, 16);
    /** The Prometheus scrape, which can take a while on a large registry. */
    static final Lane SCRAPES = new Lane("metrics", 2, 8);
    /** The JSON views. */
    static final Lane VIEWS = new Lane("api", 2, 16);

    private final NonBlockingHttpServer server;

    private VigilHttpServer(final NonBlockingHttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving on {@code host:port} ({@code port} 0 picks a free port, see {@link #port()}).
     *
     * @param scrape     the Prometheus exposition text, e.g. {@code VigilMetrics::scrape}
     * @param state      the Kafka Streams state, e.g. {@code streams::state}
     * @param alerts     recent alerts, fed by the runtime
     * @param aggregates current aggregates, fed by the runtime
     */
    public static VigilHttpServer start(final String host, final int port, final Supplier<String> scrape,
                                        final Supplier<KafkaStreams.State> state, final RecentAlerts alerts,
                                        final CurrentAggregates aggregates) throws IOException {
        return start(host, port, scrape, state, alerts, aggregates, null);
    }

    /**
     * As above, with the schema registry's status in the health answers ({@code "schemaRegistry":
     * "UP"|"DOWN"}): while it is down, readiness is DOWN too, because records with a schema id not
     * yet cached wait for it (they are not dead-lettered) and the monitor falls behind. Liveness
     * ignores it: restarting Vigil does not bring a registry back.
     *
     * @param registryUp whether the registry answered its last request; null: not reported
     */
    public static VigilHttpServer start(final String host, final int port, final Supplier<String> scrape,
                                        final Supplier<KafkaStreams.State> state, final RecentAlerts alerts,
                                        final CurrentAggregates aggregates, final BooleanSupplier registryUp)
            throws IOException {
        return start(host, port, scrape, state, alerts, aggregates, registryUp, null);
    }

    /**
     * As above; with a {@code token}, {@code /api/*} requires it as a bearer token.
     *
     * @param token the token of {@code /api/*}; null: the views are open to whoever reaches the port
     */
    public static VigilHttpServer start(final String host, final int port, final Supplier<String> scrape,
                                        final Supplier<KafkaStreams.State> state, final RecentAlerts alerts,
                                        final CurrentAggregates aggregates, final BooleanSupplier registryUp,
                                        final ApiToken token) throws IOException {
        return start(host, port, scrape, state, alerts, aggregates, registryUp, token, Limits.defaults());
    }

    static VigilHttpServer start(final String host, final int port, final Supplier<String> scrape,
                                 final Supplier<KafkaStreams.State> state, final RecentAlerts alerts,
                                 final CurrentAggregates aggregates, final BooleanSupplier registryUp,
                                 final ApiToken token, final Limits limits) throws IOException {
        final NonBlockingHttpServer server = NonBlockingHttpServer.builder()
                .route("/metrics", SCRAPES, get(r -> text(200, PROMETHEUS_CONTENT_TYPE, scrape.get())))
                .route("/health/live", PROBES, get(r -> health(state.get(),
                        s -> s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING, registryUp, false)))
                .route("/health/ready", PROBES, get(r -> health(state.get(),
                        s -> s == KafkaStreams.State.RUNNING, registryUp, true)))
                .route("/api/alerts", VIEWS, api(token, get(r -> {
                    final List<Map<String, Object>> views = alerts.snapshot().stream().map(RecentAlerts::view).toList();
                    return json(200, Map.of("alerts", views));
                })))
                .route("/api/aggregates", VIEWS, api(token, get(r -> {
                    final List<Map<String, Object>> views =
                            aggregates.snapshot().stream().map(CurrentAggregates::view).toList();
                    return json(200, Map.of("aggregates", views));
                })))
                .start(new InetSocketAddress(host, port), limits, "vigil-http");
        LOG.info("HTTP endpoints on {}:{}{}", host, server.port(), token == null ? "" : " (/api/* needs the bearer token)");
        return new VigilHttpServer(server);
    }

    public int port() {
        return server.port();
    }

    /** Open client connections (for tests). */
    int openConnections() {
        return server.openConnections();
    }

    @Override
    public void close() {
        server.close();
    }

    /** GET and HEAD only (the server leaves the body out of a HEAD answer). */
    private static NonBlockingHttpServer.Handler get(final NonBlockingHttpServer.Handler handler) {
        return r -> {
            if (!"GET".equals(r.method()) && !"HEAD".equals(r.method())) {
                return Response.text(405, "method not allowed\n").with("Allow", "GET, HEAD");
            }
            return handler.handle(r);
        };
    }

    /** With a token, the request must present it; it is checked before anything else is looked at. */
    private static NonBlockingHttpServer.Handler api(final ApiToken token, final NonBlockingHttpServer.Handler handler) {
        if (token == null) {
            return handler;
        }
        return r -> token.admits(r.header("Authorization")) ? handler.handle(r)
                : Response.text(401, "unauthorized\n").with("WWW-Authenticate", "Bearer realm=\"vigil\"");
    }

    private static Response health(final KafkaStreams.State state, final Predicate<KafkaStreams.State> healthy,
                                   final BooleanSupplier registryUp, final boolean needsRegistry)
            throws JsonProcessingException {
        final Boolean registry = registryUp == null ? null : registryUp.getAsBoolean();
        final boolean ok = state != null && healthy.test(state) && !(needsRegistry && Boolean.FALSE.equals(registry));
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ok ? "UP" : "DOWN");
        body.put("state", state == null ? "UNKNOWN" : state.name());
        if (registry != null) {
            body.put("schemaRegistry", registry ? "UP" : "DOWN");
        }
        return json(ok ? 200 : 503, body);
    }

    private static Response json(final int status, final Object body) throws JsonProcessingException {
        return new Response(status, "application/json", JSON.writeValueAsBytes(body), Map.of());
    }

    private static Response text(final int status, final String contentType, final String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }
}
