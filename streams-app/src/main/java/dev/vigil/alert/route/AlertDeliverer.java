package dev.vigil.alert.route;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.SafetyAlert;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sends one alert to one destination, retrying what can succeed later: 5xx, 429 (waiting as long
 * as {@code Retry-After} asks), timeouts and connection errors. Any other 4xx is final: the
 * request itself is wrong and sending it again would fail again.
 *
 * <p>Every attempt for an alert carries the same dedup key, so a retry of a request that did
 * reach the tool (say, its answer timed out) merges into the incident it opened.
 */
public final class AlertDeliverer {
    private static final Logger LOG = LoggerFactory.getLogger(AlertDeliverer.class);

    private final HttpClient http;
    private final RetryPolicy policy;
    private final SafetyMetrics metrics;
    private final Map<String, RateLimiter> limiters = new HashMap<>();

    public AlertDeliverer(final RetryPolicy policy, final SafetyMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(policy.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Delivers {@code alert} to {@code destination}, blocking through retries.
     *
     * @throws InterruptedException when the router is stopping; the alert then counts as not
     *                              delivered and, its offset uncommitted, is read again on restart
     */
    public DeliveryResult deliver(final Destination destination, final SafetyAlert alert) throws InterruptedException {
        final RateLimiter limiter;
        synchronized (limiters) {
            limiter = limiters.computeIfAbsent(destination.name(), n -> new RateLimiter(destination.ratePerSecond()));
        }
        final Instant start = Instant.now();
        String detail = null;
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
            limiter.acquire();
            Duration wait;
            final HttpRequest request;
            try {
                request = destination.request(alert).timeout(policy.requestTimeout()).build();
            } catch (final RuntimeException e) {
                // An alert the destination cannot even express as a request (say, a header value
                // HTTP forbids): sending it again would fail again. It must not stop the router
                // either, or every later alert would wait behind it: it is dead-lettered.
                LOG.warn("{} cannot send alert {} ({}): not retried", destination.name(), alert.getAlertId(),
                        e.getClass().getSimpleName());
                metrics.alertDelivery(destination.name(), "rejected");
                return DeliveryResult.failed(attempt, "unsendable", e.getClass().getSimpleName());
            }
            try {
                final HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                final int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    metrics.alertDelivery(destination.name(), "delivered");
                    metrics.alertDeliveryLatency(destination.name(), Duration.between(start, Instant.now()));
                    return DeliveryResult.ok(attempt);
                }
                detail = "http " + status;
                if (status == 429) {
                    wait = retryAfter(response.headers()).map(policy::retryAfter).orElseGet(() -> policy.backoff(1));
                } else if (status >= 500) {
                    wait = policy.backoff(attempt);
                } else {
                    // The response body is not logged: tools echo the request, which holds the key.
                    LOG.warn("{} rejected alert {} ({}): not retried", destination.name(), alert.getAlertId(), detail);
                    metrics.alertDelivery(destination.name(), "rejected");
                    return DeliveryResult.failed(attempt, "rejected", detail);
                }
            } catch (final HttpTimeoutException e) {
                detail = "timeout";
                wait = policy.backoff(attempt);
            } catch (final IOException e) {
                detail = e.getClass().getSimpleName();
                wait = policy.backoff(attempt);
            }
            if (attempt < policy.maxAttempts()) {
                metrics.alertDelivery(destination.name(), "retried");
                LOG.info("{} attempt {} for alert {} failed ({}); retrying in {} ms", destination.name(), attempt,
                        alert.getAlertId(), detail, wait.toMillis());
                Thread.sleep(wait.toMillis());
            }
        }
        LOG.warn("{} gave up on alert {} after {} attempts ({})", destination.name(), alert.getAlertId(),
                policy.maxAttempts(), detail);
        return DeliveryResult.failed(policy.maxAttempts(), "retries_exhausted", detail);
    }

    /** {@code Retry-After} as delta-seconds or an HTTP date. */
    static Optional<Duration> retryAfter(final HttpHeaders headers) {
        final Optional<String> value = headers.firstValue("Retry-After").map(String::trim);
        if (value.isEmpty() || value.get().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.get()))));
        } catch (final NumberFormatException notSeconds) {
            try {
                final Instant at = ZonedDateTime.parse(value.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                final Duration d = Duration.between(Instant.now(), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (final DateTimeParseException unreadable) {
                return Optional.empty();
            }
        }
    }
}
