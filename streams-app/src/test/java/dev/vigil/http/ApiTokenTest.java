package dev.vigil.http;

import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With a token, {@code /api/*} answers only a request that presents it as
 * {@code Authorization: Bearer <token>}; {@code /metrics} and {@code /health/*} stay open to
 * Prometheus and the kubelet, which send no token.
 */
class ApiTokenTest {
    private static final String TOKEN = "3f9c2a7be41d08c6a5f1e2d3c4b5a697";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final List<String> API = List.of("/api/alerts", "/api/aggregates");

    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.RUNNING);
    private VigilHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = VigilHttpServer.start("127.0.0.1", 0, () -> "vigil_up 1\n", state::get, new RecentAlerts(),
                new CurrentAggregates(), () -> true, ApiToken.of(TOKEN));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawHttp.Answer get(final String path, final String... headers) throws Exception {
        return RawHttp.send(server.port(), RawHttp.get(path, headers), WAIT);
    }

    @Test
    void shouldRefuseTheViewsWithoutTheRightToken() throws Exception {
        final List<String[]> wrong = new ArrayList<>();
        wrong.add(new String[0]);
        wrong.add(new String[] {"Authorization: Bearer"});
        wrong.add(new String[] {"Authorization: Bearer "});
        wrong.add(new String[] {"Authorization: " + TOKEN});
        wrong.add(new String[] {"Authorization: Basic " + TOKEN});
        wrong.add(new String[] {"Authorization: Bearer " + TOKEN.substring(0, TOKEN.length() - 1)});
        wrong.add(new String[] {"Authorization: Bearer " + TOKEN + "0"});
        wrong.add(new String[] {"Authorization: Bearer " + TOKEN.toUpperCase()});
        wrong.add(new String[] {"Authorization: Bearer " + "0".repeat(TOKEN.length())});
        wrong.add(new String[] {"Authorization: Bearer " + TOKEN.substring(1) + "x"});
        wrong.add(new String[] {"Authorization: BearerX" + TOKEN});
        wrong.add(new String[] {"X-Authorization: Bearer " + TOKEN});
        wrong.add(new String[] {"Authorization: Bearer " + TOKEN + " " + TOKEN});
        // Two headers, one right: ambiguous, refused.
        wrong.add(new String[] {"Authorization: Bearer wrong-token-0000000", "Authorization: Bearer " + TOKEN});
        wrong.add(new String[] {"Authorization: Bearer " + TOKEN, "Authorization: Bearer " + TOKEN});
        for (final String path : API) {
            for (final String[] headers : wrong) {
                final RawHttp.Answer a = get(path, headers);
                assertEquals(401, a.status(), path + " with " + String.join(" | ", headers));
                assertTrue(a.head().contains("WWW-Authenticate: Bearer"), a.head());
                assertFalse(a.body().contains("alerts") || a.body().contains("aggregates"), a.body());
            }
            // Writes are refused as unauthorised first: nothing about the view is said to a stranger.
            assertEquals(401, RawHttp.send(server.port(), "POST " + path + " HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
                    WAIT).status());
        }
    }

    @Test
    void shouldServeTheViewsWithTheRightToken() throws Exception {
        for (final String path : API) {
            for (final String header : List.of("Authorization: Bearer " + TOKEN, "authorization: bearer " + TOKEN,
                    "AUTHORIZATION: BEARER " + TOKEN, "Authorization:   Bearer " + TOKEN + "  ")) {
                final RawHttp.Answer a = get(path, header);
                assertEquals(200, a.status(), path + " with " + header);
                assertTrue(a.body().startsWith("{\"" + path.substring(5) + "\":"), a.body());
            }
            assertEquals(200, get(path + "?limit=5", "Authorization: Bearer " + TOKEN).status());
            assertEquals(405, RawHttp.send(server.port(), "POST " + path + " HTTP/1.1\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Length: 0\r\n\r\n", WAIT).status());
        }
    }

    @Test
    void shouldLeaveMetricsAndHealthOpenWithOrWithoutAToken() throws Exception {
        for (final String[] headers : List.of(new String[0], new String[] {"Authorization: Bearer wrong-token-000000"},
                new String[] {"Authorization: Bearer " + TOKEN})) {
            final RawHttp.Answer metrics = get("/metrics", headers);
            assertEquals(200, metrics.status());
            assertEquals("vigil_up 1\n", metrics.body());
            assertEquals(200, get("/health/live", headers).status());
            assertEquals(200, get("/health/ready", headers).status());
        }
        state.set(KafkaStreams.State.ERROR);
        assertEquals(503, get("/health/live").status(), "health still reports, not 401");
        assertEquals(404, get("/api/other").status(), "an unknown path is not found, token or not");
        assertEquals(404, get("/api/alerts/").status());
    }

    @Test
    void shouldRefuseATokenTooShortOrNotABearerToken() {
        for (final String bad : new String[] {null, "", "   ", "short", "x".repeat(ApiToken.MIN_LENGTH - 1),
            "has a space in it 0123456789", "tab\tinside0123456789", "quote\"inside0123456789", "new\nline0123456789",
            "nön-ascii-0123456789", "=leading-equals-0123456789", "x".repeat(ApiToken.MAX_LENGTH + 1)}) {
            assertThrows(IllegalArgumentException.class, () -> ApiToken.of(bad), String.valueOf(bad));
        }
        ApiToken.of(TOKEN + "\n");
        ApiToken.of("abcdefghijklmnop");
        ApiToken.of("dGhpcyBpcyBhIHRva2VuIQ==");
        assertFalse(ApiToken.of(TOKEN).toString().contains(TOKEN), "never printed");
    }
}
