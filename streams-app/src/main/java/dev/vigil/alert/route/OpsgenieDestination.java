package dev.vigil.alert.route;

import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Opsgenie Alert API ({@code POST /v2/alerts}): {@code alias} = the alert's dedup key, which
 * Opsgenie uses to de-duplicate open alerts, so a retry never opens a second one. Fields are
 * cleaned and bounded ({@link AlertJson}); the message to Opsgenie's 130 characters.
 */
public final class OpsgenieDestination extends HttpDestination {
    static final int MESSAGE_MAX = 130;
    static final int DESCRIPTION_MAX = 2000;
    public static final URI DEFAULT_ENDPOINT = URI.create("https://api.opsgenie.com/v2/alerts");

    private final String apiKey;

    /** @param apiKey the API integration key (a secret: from the environment or a file) */
    public OpsgenieDestination(final URI endpoint, final String apiKey, final Severity minimumSeverity,
                               final double ratePerSecond) {
        super("opsgenie", endpoint, minimumSeverity, ratePerSecond);
        this.apiKey = apiKey;
    }

    static String priority(final Severity s) {
        return switch (s) {
            case CRITICAL -> "P1";
            case WARNING -> "P3";
            case INFO -> "P5";
        };
    }

    @Override
    public HttpRequest.Builder request(final SafetyAlert a) {
        final Map<String, String> details = new LinkedHashMap<>();
        AlertJson.details(a).forEach((k, v) -> {
            if (v instanceof Map<?, ?> map) {
                map.forEach((ek, ev) -> details.put("evidence." + ek, String.valueOf(ev)));
            } else {
                details.put(k, String.valueOf(v));
            }
        });
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", ToolText.clean(a.getSummary(), MESSAGE_MAX));
        body.put("alias", AlertJson.dedupKey(a));
        final String runbook = ToolText.url(a.getRunbookUrl());
        body.put("description", ToolText.clean(a.getSummary(), DESCRIPTION_MAX)
                + (runbook == null ? "" : "\nRunbook: " + runbook));
        body.put("tags", List.of("vigil", a.getType().name().toLowerCase(Locale.ROOT),
                a.getSeverity().name().toLowerCase(Locale.ROOT)));
        body.put("details", details);
        body.put("entity", ToolText.clean(a.getSubjectKind(), AlertJson.LABEL_MAX));
        body.put("source", "vigil");
        body.put("priority", priority(a.getSeverity()));
        return HttpRequest.newBuilder(endpoint())
                .header("Content-Type", "application/json")
                .header("Authorization", "GenieKey " + apiKey)
                .POST(HttpRequest.BodyPublishers.ofString(AlertJson.write(body)));
    }
}
