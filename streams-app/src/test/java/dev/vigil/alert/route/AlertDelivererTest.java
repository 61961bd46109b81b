package dev.vigil.alert.route;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.metrics.SafetyTrafficFixture;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertDelivererTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final SafetyMetrics metrics = new SafetyMetrics(new SimpleMeterRegistry());
    /** Short delays so the suite stays fast; the timeout is far below the slow receiver's delay. */
    private final RetryPolicy fast = new RetryPolicy(4, Duration.ofMillis(20), Duration.ofMillis(200),
            Duration.ofMillis(400), Duration.ofSeconds(5));

    private static SafetyAlert alert(final String subject, final Severity severity) {
        return SafetyTrafficFixture.alert(AlertType.MISSED_REFERRAL, severity, subject, T0);
    }

    private static PagerDutyDestination pagerDuty(final IncidentReceiver r, final double rate) {
        return new PagerDutyDestination(r.uri("/v2/enqueue"), "pd-routing-key", Severity.INFO, rate);
    }

    @Test
    void shouldRetryServerErrorsWithTheSameDedupKeyAndOpenOneIncident() throws Exception {
        try (IncidentReceiver r = new IncidentReceiver((k, n) -> n <= 2 ? IncidentReceiver.Answer.status(500)
                : IncidentReceiver.Answer.ok())) {
            final SafetyAlert a = alert("c1", Severity.CRITICAL);
            final DeliveryResult result = new AlertDeliverer(fast, metrics).deliver(pagerDuty(r, 50), a);
            assertTrue(result.delivered());
            assertEquals(3, result.attempts());
            assertEquals(3, r.receivedFor(a.getDedupKey()).size(), "two 500s then success");
            assertEquals(Set.of(a.getDedupKey()), r.incidentKeys());
            assertEquals(1, r.accepted(a.getDedupKey()), "nothing is sent after the tool accepted it");
        }
    }

    @Test
    void shouldWaitAsLongAsRetryAfterAsksOn429() throws Exception {
        try (IncidentReceiver r = new IncidentReceiver((k, n) -> n == 1 ? IncidentReceiver.Answer.tooManyRequests(1)
                : IncidentReceiver.Answer.ok())) {
            final SafetyAlert a = alert("c2", Severity.CRITICAL);
            assertTrue(new AlertDeliverer(fast, metrics).deliver(pagerDuty(r, 50), a).delivered());
            final List<IncidentReceiver.Received> got = r.receivedFor(a.getDedupKey());
            assertEquals(2, got.size());
            final long gapMillis = (got.get(1).atNanos() - got.get(0).atNanos()) / 1_000_000;
            // The policy's own backoff is 20 ms: only Retry-After explains a second's wait.
            assertTrue(gapMillis >= 950, "retried after " + gapMillis + " ms despite Retry-After: 1");
            assertEquals(1, r.incidentsOpened(a.getDedupKey()));
        }
    }

    @Test
    void shouldRetryATimedOutRequestWithoutOpeningASecondIncident() throws Exception {
        try (IncidentReceiver r = new IncidentReceiver((k, n) -> n == 1 ? IncidentReceiver.Answer.slowOk(1500)
                : IncidentReceiver.Answer.ok())) {
            final SafetyAlert a = alert("c3", Severity.CRITICAL);
            final DeliveryResult result = new AlertDeliverer(fast, metrics).deliver(pagerDuty(r, 50), a);
            assertTrue(result.delivered());
            assertEquals(2, result.attempts(), "the first answer came after the 400 ms timeout");
            // The tool did take the first event; the retry carried the same dedup key and merged.
            assertEquals(2, r.accepted(a.getDedupKey()));
            assertEquals(1, r.incidentsOpened(a.getDedupKey()));
            assertEquals(1, r.incidentKeys().size());
        }
    }

    @Test
    void shouldReadRetryAfterAsSecondsOrAnHttpDate() {
        final java.util.function.Function<String, java.net.http.HttpHeaders> h = v ->
                java.net.http.HttpHeaders.of(Map.of("Retry-After", List.of(v)), (a, b) -> true);
        assertEquals(Duration.ofSeconds(7), AlertDeliverer.retryAfter(h.apply("7")).orElseThrow());
        final String inTenSeconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(10));
        final long waited = AlertDeliverer.retryAfter(h.apply(inTenSeconds)).orElseThrow().toSeconds();
        assertTrue(waited >= 8 && waited <= 10, "HTTP-date Retry-After gave " + waited + " s");
        assertTrue(AlertDeliverer.retryAfter(h.apply("soon")).isEmpty(), "unreadable falls back to backoff");
    }

    @Test
    void shouldNotRetryAClientErrorOtherThan429() throws Exception {
        try (IncidentReceiver r = new IncidentReceiver((k, n) -> IncidentReceiver.Answer.status(400))) {
            final DeliveryResult result = new AlertDeliverer(fast, metrics).deliver(pagerDuty(r, 50),
                    alert("c4", Severity.CRITICAL));
            assertFalse(result.delivered());
            assertEquals("rejected", result.reason());
            assertEquals("http 400", result.detail());
            assertEquals(1, r.received().size());
        }
    }

    @Test
    void shouldGiveUpAfterMaxAttemptsOfServerErrors() throws Exception {
        try (IncidentReceiver r = new IncidentReceiver((k, n) -> IncidentReceiver.Answer.status(503))) {
            final DeliveryResult result = new AlertDeliverer(fast, metrics).deliver(pagerDuty(r, 50),
                    alert("c5", Severity.CRITICAL));
            assertFalse(result.delivered());
            assertEquals("retries_exhausted", result.reason());
            assertEquals(4, r.received().size());
            assertTrue(r.incidentKeys().isEmpty());
        }
    }

    @Test
    void shouldBackOffExponentiallyWithJitterBetweenHalfAndAllOfTheStep() {
        final RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(5));
        final Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            final long first = p.backoff(1).toMillis();
            final long third = p.backoff(3).toMillis();
            final long capped = p.backoff(9).toMillis();
            assertTrue(first >= 50 && first <= 100, "attempt 1: " + first);
            assertTrue(third >= 200 && third <= 400, "attempt 3: " + third);
            assertTrue(capped >= 500 && capped <= 1000, "capped: " + capped);
            seen.add(third);
        }
        assertTrue(seen.size() > 20, "no jitter: " + seen.size() + " distinct delays");
        assertEquals(Duration.ofSeconds(5), p.retryAfter(Duration.ofHours(1)), "Retry-After is capped");
    }

    @Test
    void shouldHoldEachDestinationToItsRateLimit() throws Exception {
        try (IncidentReceiver r = new IncidentReceiver((k, n) -> IncidentReceiver.Answer.ok())) {
            final AlertDeliverer deliverer = new AlertDeliverer(fast, metrics);
            final PagerDutyDestination pd = pagerDuty(r, 5);
            final long start = System.nanoTime();
            for (int i = 0; i < 6; i++) {
                assertTrue(deliverer.deliver(pd, alert("rate-" + i, Severity.CRITICAL)).delivered());
            }
            final long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 950, "6 requests at 5/s took only " + millis + " ms");
        }
    }

    @Test
    void shouldSendPagerDutyTriggerWithDedupKeyMappedSeverityAndNoTextInDetails() throws Exception {
        try (IncidentReceiver r = new IncidentReceiver((k, n) -> IncidentReceiver.Answer.ok())) {
            final SafetyAlert a = alert("c6", Severity.WARNING);
            new AlertDeliverer(fast, metrics).deliver(pagerDuty(r, 50), a);
            final JsonNode body = r.received().get(0).body();
            assertEquals("pd-routing-key", body.get("routing_key").asText());
            assertEquals("trigger", body.get("event_action").asText());
            assertEquals(a.getDedupKey(), body.get("dedup_key").asText());
            assertEquals("warning", body.at("/payload/severity").asText());
            assertEquals("vigil", body.at("/payload/source").asText());
            final List<String> detailKeys = new ArrayList<>();
            body.at("/payload/custom_details").fieldNames().forEachRemaining(detailKeys::add);
            assertEquals(List.of("alert_id", "dedup_key", "type", "severity", "raised_at", "subject_kind", "subject",
                    "evidence", "runbook_url", "classifier_version"), detailKeys);
            assertEquals(a.getRunbookUrl(), body.at("/links/0/href").asText());
        }
    }

    @Test
    void shouldSendOpsgenieAlertWithDedupKeyAsAliasAndGenieKey() throws Exception {
        try (IncidentReceiver r = new IncidentReceiver((k, n) -> IncidentReceiver.Answer.ok())) {
            final SafetyAlert a = alert("c7", Severity.CRITICAL);
            new AlertDeliverer(fast, metrics).deliver(
                    new OpsgenieDestination(r.uri("/v2/alerts"), "og-key", Severity.INFO, 50), a);
            final IncidentReceiver.Received got = r.received().get(0);
            assertEquals(a.getDedupKey(), got.body().get("alias").asText());
            assertEquals("P1", got.body().get("priority").asText());
            assertEquals("GenieKey og-key", got.headers().getFirst("Authorization"));
            assertTrue(got.body().get("message").asText().length() <= 130);
        }
    }

    @Test
    void shouldSignWebhookBodiesWithHmacSha256OverTimestampAndBody() throws Exception {
        try (IncidentReceiver r = new IncidentReceiver((k, n) -> IncidentReceiver.Answer.ok())) {
            final SafetyAlert a = alert("c8", Severity.INFO);
            new AlertDeliverer(fast, metrics).deliver(
                    new WebhookDestination(r.uri("/hook"), "s3cret", Severity.INFO, 50), a);
            final IncidentReceiver.Received got = r.received().get(0);
            final String ts = got.headers().getFirst(WebhookDestination.TIMESTAMP_HEADER);
            final String body = AlertJson.write(got.body());
            assertEquals(WebhookDestination.signature("s3cret".getBytes(StandardCharsets.UTF_8), ts, body),
                    got.headers().getFirst(WebhookDestination.SIGNATURE_HEADER));
            assertFalse(WebhookDestination.signature("other".getBytes(StandardCharsets.UTF_8), ts, body)
                    .equals(got.headers().getFirst(WebhookDestination.SIGNATURE_HEADER)));
            assertEquals(a.getDedupKey(), got.headers().getFirst(WebhookDestination.IDEMPOTENCY_HEADER));
        }
    }

    @Test
    void shouldRouteByMinimumSeverityAndNeverPostTheSameDedupKeyTwice() throws Exception {
        try (IncidentReceiver pd = new IncidentReceiver((k, n) -> IncidentReceiver.Answer.ok());
             IncidentReceiver slack = new IncidentReceiver((k, n) -> n == 1 ? IncidentReceiver.Answer.status(500)
                     : IncidentReceiver.Answer.ok())) {
            final AlertRouter router = new AlertRouter(List.of(
                    new PagerDutyDestination(pd.uri("/v2/enqueue"), "k", Severity.CRITICAL, 50),
                    new SlackDestination(slack.uri("/services/T/B/X"), Severity.WARNING, 50)),
                    new AlertDeliverer(fast, metrics), metrics);
            final SafetyAlert critical = alert("crit", Severity.CRITICAL);
            final SafetyAlert warning = alert("warn", Severity.WARNING);
            final SafetyAlert info = alert("info", Severity.INFO);
            for (final SafetyAlert a : List.of(critical, warning, info, critical)) {
                assertTrue(router.route(a).isEmpty());
            }
            assertEquals(Set.of(critical.getDedupKey()), pd.incidentKeys(), "only critical pages");
            assertEquals(1, pd.receivedFor(critical.getDedupKey()).size(), "the repeat is not re-sent");
            assertEquals(Set.of(critical.getDedupKey(), warning.getDedupKey()), slack.incidentKeys());
            assertEquals(1, slack.accepted(critical.getDedupKey()));
            assertEquals(1, slack.accepted(warning.getDedupKey()));
        }
    }
}
