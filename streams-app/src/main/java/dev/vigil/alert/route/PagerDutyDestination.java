package dev.vigil.alert.route;

import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PagerDuty Events API v2: one {@code trigger} event per alert, {@code dedup_key} = the alert's
 * dedup key, so PagerDuty folds every retry and redelivery into the one incident. Fields are
 * cleaned and bounded ({@link AlertJson}): the summary to PagerDuty's 1,024 characters, the dedup
 * key to its 255 (a longer key is shortened to a prefix and a hash, never cut into another key).
 */
public final class PagerDutyDestination extends HttpDestination {
    static final int SUMMARY_MAX = 1024;
    public static final URI DEFAULT_ENDPOINT = URI.create("https://events.pagerduty.com/v2/enqueue");

    private final String routingKey;

    /** @param routingKey the integration's routing key (a secret: from the environment or a file) */
    public PagerDutyDestination(final URI endpoint, final String routingKey, final Severity minimumSeverity,
                                final double ratePerSecond) {
        super("pagerduty", endpoint, minimumSeverity, ratePerSecond);
        this.routingKey = routingKey;
    }

    /** PagerDuty's payload severities are critical, error, warning and info. */
    static String severity(final Severity s) {
        return switch (s) {
            case CRITICAL -> "critical";
            case WARNING -> "warning";
            case INFO -> "info";
        };
    }

    @Override
    public HttpRequest.Builder request(final SafetyAlert a) {
        final Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("summary", ToolText.clean(a.getSummary(), SUMMARY_MAX));
        payload.put("source", "vigil");
        payload.put("severity", severity(a.getSeverity()));
        payload.put("timestamp", a.getRaisedAt().toString());
        payload.put("component", ToolText.clean(a.getSubjectKind(), AlertJson.LABEL_MAX));
        payload.put("group", a.getType().name().toLowerCase(java.util.Locale.ROOT));
        payload.put("class", a.getType().name());
        payload.put("custom_details", AlertJson.details(a));
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("routing_key", routingKey);
        body.put("event_action", "trigger");
        body.put("dedup_key", AlertJson.dedupKey(a));
        body.put("payload", payload);
        final String runbook = ToolText.url(a.getRunbookUrl());
        body.put("links", runbook == null ? List.of() : List.of(Map.of("href", runbook, "text", "Runbook")));
        body.put("client", "Vigil");
        return HttpRequest.newBuilder(endpoint())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AlertJson.write(body)));
    }
}
