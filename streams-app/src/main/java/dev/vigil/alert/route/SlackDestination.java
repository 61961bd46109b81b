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
 *
 * <p>Nothing from the alert reaches Slack as markup. Every interpolated field is cleaned, bounded
 * and has {@code & < >} escaped ({@link ToolText#slack}), so it cannot form a mention
 * ({@code <!channel>}, {@code <@U…>}), a link ({@code <http://…|label>}) or a date token; the
 * text objects are {@code verbatim}, so Slack does not turn bare URLs or channel names into links
 * either, and link previews are off. The only link is the runbook's, and only when it is a plain
 * http(s) URL ({@link ToolText#url}). Slack's limit of 3,000 characters per text holds by
 * construction: summary, link and key each have their own bound.
 */
public final class SlackDestination extends HttpDestination {
    /** Slack's limit for a section's text and the one this message keeps to. */
    static final int TEXT_MAX = 3000;
    static final int SUMMARY_MAX = 1500;
    static final int FALLBACK_SUMMARY_MAX = 500;
    static final int KEY_MAX = 400;
    static final int LINK_MAX = 1000;

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
        // Severity and type are enum names: Vigil's own words, never input.
        final String title = a.getSeverity().name() + " " + a.getType().name();
        final String runbook = ToolText.url(a.getRunbookUrl());
        final String runbookLink = runbook == null ? null : ToolText.slackLink(runbook, "Runbook");
        final String link = runbookLink != null && runbookLink.length() <= LINK_MAX ? runbookLink : "Runbook: none";
        final String text = icon + " *" + title + "*: " + ToolText.slack(a.getSummary(), SUMMARY_MAX)
                + "\n" + link + " · dedup `" + ToolText.slack(AlertJson.dedupKey(a), KEY_MAX) + "`";
        final Map<String, Object> textObject = new LinkedHashMap<>();
        textObject.put("type", "mrkdwn");
        textObject.put("text", text);
        textObject.put("verbatim", true);
        final Map<String, Object> section = new LinkedHashMap<>();
        section.put("type", "section");
        section.put("text", textObject);
        final Map<String, Object> body = new LinkedHashMap<>();
        // The notification text: plain words, escaped like the rest.
        body.put("text", title + ": " + ToolText.slack(a.getSummary(), FALLBACK_SUMMARY_MAX));
        body.put("blocks", List.of(section));
        body.put("unfurl_links", false);
        body.put("unfurl_media", false);
        return HttpRequest.newBuilder(endpoint())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AlertJson.write(body)));
    }
}
