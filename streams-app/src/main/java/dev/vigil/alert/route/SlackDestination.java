package dev.vigil.alert.route;

import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Slack incoming webhook. The webhook URL is itself the secret, so it is never logged.
 * Slack has no dedup key: the dedup key is shown in the message so people can match repeats,
 * and the router's own per-process memory keeps retries of a delivered message from posting twice.
 */
public final class SlackDestination extends HttpDestination {

    public SlackDestination(final URI webhookUrl, final Severity minimumSeverity, final double ratePerSecond) {
        super("slack", webhookUrl, minimumSeverity, ratePerSecond);
    }

    @Override
    public HttpRequest.Builder request(final SafetyAlert a) {
        final String icon = switch (a.getSeverity()) {
            case CRITICAL -> ":rotating_light:";
            case WARNING -> ":warning:";
            case INFO -> ":information_source:";
        };
        final String text = icon + " *" + a.getSeverity() + " " + a.getType() + "*: " + a.getSummary()
                + "\n<" + a.getRunbookUrl() + "|Runbook> · dedup `" + a.getDedupKey() + "`";
        final Map<String, Object> section = new LinkedHashMap<>();
        section.put("type", "section");
        section.put("text", Map.of("type", "mrkdwn", "text", AlertJson.truncate(text, 3000)));
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", AlertJson.truncate(a.getSeverity() + " " + a.getType() + ": " + a.getSummary(), 3000));
        body.put("blocks", List.of(section));
        return HttpRequest.newBuilder(endpoint())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AlertJson.write(body)));
    }
}
