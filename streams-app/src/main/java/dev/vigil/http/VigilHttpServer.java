package dev.vigil.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Vigil's one small HTTP server (the JDK's): {@code /metrics} for Prometheus,
 * {@code /health/live} and {@code /health/ready} for Kubernetes probes, and read-only JSON views
 * {@code /api/alerts} and {@code /api/aggregates} for people. Every response is labels, counts
 * and states: never conversation text.
 *
 * <p>Liveness is RUNNING or REBALANCING (a rebalance is normal, restarting the pod for it would
 * only cause another); readiness is RUNNING only.
 */
public final class VigilHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VigilHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private VigilHttpServer(final HttpServer server, final ExecutorService executor) {
        this.server = server;
        this.executor = executor;
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
        final HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/metrics", get(ex -> send(ex, 200, PROMETHEUS_CONTENT_TYPE, scrape.get())));
        server.createContext("/health/live", get(ex -> health(ex, state.get(),
                s -> s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING, registryUp, false)));
        server.createContext("/health/ready", get(ex -> health(ex, state.get(),
                s -> s == KafkaStreams.State.RUNNING, registryUp, true)));
        server.createContext("/api/alerts", get(ex -> {
            final List<Map<String, Object>> views = alerts.snapshot().stream().map(RecentAlerts::view).toList();
            sendJson(ex, 200, Map.of("alerts", views));
        }));
        server.createContext("/api/aggregates", get(ex -> {
            final List<Map<String, Object>> views =
                    aggregates.snapshot().stream().map(CurrentAggregates::view).toList();
            sendJson(ex, 200, Map.of("aggregates", views));
        }));
        server.createContext("/", ex -> send(ex, 404, "text/plain; charset=utf-8", "not found\n"));
        final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            final Thread t = new Thread(r, "vigil-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        LOG.info("HTTP endpoints on {}:{}", host, server.getAddress().getPort());
        return new VigilHttpServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private static HttpHandler get(final Handler handler) {
        return ex -> {
            try {
                final String method = ex.getRequestMethod();
                if (!"GET".equals(method) && !"HEAD".equals(method)) {
                    ex.getResponseHeaders().add("Allow", "GET, HEAD");
                    send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
                    return;
                }
                if (!ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath())) {
                    send(ex, 404, "text/plain; charset=utf-8", "not found\n");
                    return;
                }
                handler.handle(ex);
            } catch (final RuntimeException e) {
                // The error class only: messages of downstream exceptions could carry data.
                LOG.warn("HTTP handler for {} failed: {}", ex.getRequestURI().getPath(), e.getClass().getName());
                send(ex, 500, "text/plain; charset=utf-8", "internal error\n");
            } finally {
                ex.close();
            }
        };
    }

    private static void health(final HttpExchange ex, final KafkaStreams.State state,
                               final java.util.function.Predicate<KafkaStreams.State> healthy,
                               final BooleanSupplier registryUp, final boolean needsRegistry) throws IOException {
        final Boolean registry = registryUp == null ? null : registryUp.getAsBoolean();
        final boolean ok = state != null && healthy.test(state) && !(needsRegistry && Boolean.FALSE.equals(registry));
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ok ? "UP" : "DOWN");
        body.put("state", state == null ? "UNKNOWN" : state.name());
        if (registry != null) {
            body.put("schemaRegistry", registry ? "UP" : "DOWN");
        }
        sendJson(ex, ok ? 200 : 503, body);
    }

    private static void sendJson(final HttpExchange ex, final int status, final Object body) throws IOException {
        send(ex, status, "application/json", JSON.writeValueAsString(body));
    }

    private static void send(final HttpExchange ex, final int status, final String contentType, final String body)
            throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
