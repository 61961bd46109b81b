package dev.vigil.alert.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * Test double of an incident tool on 127.0.0.1 (JDK HttpServer): it answers each request as its
 * script says (500, 429 with Retry-After, a hang longer than the client's timeout, success) and
 * de-duplicates like PagerDuty does, so a test can count the incidents each dedup key opened.
 */
final class IncidentReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to answer to attempt {@code n} (1-based) for a dedup key. */
    record Answer(int status, Map<String, String> headers, long delayMillis) {
        static Answer ok() {
            return new Answer(202, Map.of(), 0);
        }

        static Answer status(final int status) {
            return new Answer(status, Map.of(), 0);
        }

        static Answer tooManyRequests(final int retryAfterSeconds) {
            return new Answer(429, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), 0);
        }

        /** Accepts the event, but answers only after the client has given up waiting. */
        static Answer slowOk(final long delayMillis) {
            return new Answer(202, Map.of(), delayMillis);
        }
    }

    record Received(String dedupKey, long atNanos, Headers headers, JsonNode body, int answered) {
    }

    private final HttpServer server;
    private final BiFunction<String, Integer, Answer> script;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> incidentsOpened = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();

    IncidentReceiver(final BiFunction<String, Integer, Answer> script) throws IOException {
        this.script = script;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    URI uri(final String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private void handle(final HttpExchange ex) throws IOException {
        try (ex) {
            final byte[] raw = ex.getRequestBody().readAllBytes();
            final JsonNode body = JSON.readTree(raw);
            final String key = dedupKey(ex.getRequestHeaders(), body);
            final int n = attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            final Answer answer = script.apply(key, n);
            received.add(new Received(key, System.nanoTime(), ex.getRequestHeaders(), body, answer.status()));
            if (answer.status() >= 200 && answer.status() < 300) {
                accepted.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                // Dedup like the real tools: the first accepted event opens the incident,
                // later ones with the same key are merged into it.
                incidentsOpened.computeIfAbsent(key, k -> new AtomicInteger(1));
            }
            if (answer.delayMillis() > 0) {
                try {
                    Thread.sleep(answer.delayMillis());
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            answer.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            final byte[] out = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            try {
                ex.sendResponseHeaders(answer.status(), out.length);
                ex.getResponseBody().write(out);
            } catch (final IOException clientGone) {
                // The client timed out and closed the connection: what a slow tool looks like.
            }
        }
    }

    /** PagerDuty's dedup_key, Opsgenie's alias, the webhook's Idempotency-Key, or Slack's text. */
    private static String dedupKey(final Headers headers, final JsonNode body) {
        if (body.has("dedup_key")) {
            return body.get("dedup_key").asText();
        }
        if (body.has("alias")) {
            return body.get("alias").asText();
        }
        final String idem = headers.getFirst("Idempotency-Key");
        if (idem != null) {
            return idem;
        }
        final String text = body.path("blocks").path(0).path("text").path("text").asText();
        final int i = text.indexOf("dedup `");
        return i < 0 ? "?" : text.substring(i + 7, text.indexOf('`', i + 7));
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    List<Received> receivedFor(final String key) {
        return received.stream().filter(r -> r.dedupKey().equals(key)).toList();
    }

    int incidentsOpened(final String key) {
        final AtomicInteger n = incidentsOpened.get(key);
        return n == null ? 0 : n.get();
    }

    int accepted(final String key) {
        final AtomicInteger n = accepted.get(key);
        return n == null ? 0 : n.get();
    }

    java.util.Set<String> incidentKeys() {
        return incidentsOpened.keySet();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
