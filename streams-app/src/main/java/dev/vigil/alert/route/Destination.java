package dev.vigil.alert.route;

import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;

import java.net.URI;
import java.net.http.HttpRequest;

/**
 * One place alerts are delivered to (an incident tool, a chat channel, a webhook). A destination
 * only builds the request; {@link AlertDeliverer} sends it, retries it and rate-limits it.
 *
 * <p>Requests must carry the alert's dedup key in the form the tool uses to merge repeats
 * (PagerDuty {@code dedup_key}, Opsgenie {@code alias}, webhook {@code Idempotency-Key}), so a
 * retry or a redelivery after a restart never opens a second incident.
 */
public interface Destination {

    /** Short fixed name, used as a metric label and in logs (never the URL: it may hold a secret). */
    String name();

    /** Where requests go; tests point it at 127.0.0.1. */
    URI endpoint();

    /** Alerts below this severity are not sent here. */
    Severity minimumSeverity();

    /** Most requests per second this destination accepts from one router. */
    double ratePerSecond();

    /** The request for one alert: body, headers and method; the deliverer adds the timeout. */
    HttpRequest.Builder request(SafetyAlert alert);

    default boolean accepts(final SafetyAlert alert) {
        return alert.getSeverity().ordinal() >= minimumSeverity().ordinal();
    }
}
