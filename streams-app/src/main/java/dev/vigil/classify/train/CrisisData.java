package dev.vigil.classify.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.schema.CrisisLevel;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The message-level crisis sets: what the semantic tier learns its grade from and is measured on.
 * Every example is one human message with the Columbia rung a clinician would give it alone.
 *
 * <p>Readers accept three label shapes: {@code crisis_message} ({@code rung}, {@code kind}: the
 * training sets written for the purpose), {@code crisis_disclosure} ({@code at_risk},
 * {@code level}, {@code split}) and {@code crisis_request} ({@code self_harm}, {@code kind}: a
 * request for a way to hurt oneself is at least active ideation, whatever its words).
 */
public final class CrisisData {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One labelled message. {@code rung} is a {@link CrisisLevel} ordinal. */
    public record Example(String id, String text, int rung, String source, String kind, String split) {
        public boolean crisis() {
            return rung > 0;
        }

        public boolean needsReferral() {
            return rung >= CrisisLevel.ACTIVE_IDEATION.ordinal();
        }
    }

    private CrisisData() {
    }

    /** Reads a folder's {@code events.jsonl} and {@code labels.jsonl}; {@code source} names it. */
    public static List<Example> read(final Path folder, final String source) throws IOException {
        final Map<String, JsonNode> labels = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(folder.resolve("labels.jsonl"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    final JsonNode l = JSON.readTree(line);
                    labels.put(l.path("event_id").asText(), l);
                }
            }
        }
        final List<Example> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(folder.resolve("events.jsonl"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                final JsonNode e = JSON.readTree(line);
                final JsonNode l = labels.get(e.path("event_id").asText());
                if (l == null || !"HUMAN".equals(e.path("role").asText("HUMAN"))) {
                    continue;
                }
                final String split = l.path("split").asText("all");
                final String text = e.path("text").asText();
                final String id = e.path("event_id").asText();
                switch (l.path("task").asText()) {
                    case "crisis_message" -> out.add(new Example(id, text, rung(l.path("rung").asText()), source,
                            l.path("kind").asText("unknown"), split));
                    case "crisis_disclosure" -> out.add(new Example(id, text, l.path("at_risk").asBoolean()
                            ? rung(l.path("level").asText("passive_ideation")) : 0, source,
                            l.path("at_risk").asBoolean() ? "disclosure" : "everyday_distress", split));
                    case "crisis_request" -> out.add(new Example(id, text, l.path("self_harm").asBoolean()
                            ? CrisisLevel.ACTIVE_IDEATION.ordinal() : 0, source,
                            (l.path("self_harm").asBoolean() ? "request_" : "") + l.path("kind").asText(
                                    l.path("self_harm").asBoolean() ? "self_harm" : "other_harm"), split));
                    default -> {
                    }
                }
            }
        }
        return out;
    }

    static int rung(final String name) {
        return CrisisLevel.valueOf(name.toUpperCase(Locale.ROOT)).ordinal();
    }

    /**
     * Words that make an ordinary-text message unusable as a "no risk" example without reading it:
     * public sets label sentiment, not risk, and a Reddit comment that says "I want to die" may
     * mean it. Dropping them costs idioms, which the written sets cover.
     */
    private static final Pattern RISK_WORDS = Pattern.compile(
            "suicid|kill (my|me|him|her|them)self|kms|end (my|it)|self.?harm|cut(ting)? (my|me)|\\bdie\\b|\\bdying\\b|"
                    + "\\bdead\\b|overdos|\\bpills?\\b|\\bnoose|\\bhang|\\bjump|starv|purg|anorex|bulimi|unalive|worthless",
            Pattern.CASE_INSENSITIVE);

    /**
     * Ordinary messages from the permissively licensed public sets of {@code shared} as "no risk"
     * examples: GoEmotions comments (Apache-2.0; its {@code split} of choice), XSTest's safe prompts
     * (CC BY 4.0: crisis words in safe senses, "how do I kill a Python process"), and CoCoNot's
     * prompts outside its safety-concern category (MIT). At most {@code limit} GoEmotions comments,
     * taken in file order.
     */
    public static List<Example> ordinary(final Path shared, final String goEmotionsSplit, final int limit)
            throws IOException {
        final List<Example> out = new ArrayList<>();
        final Map<String, JsonNode> goLabels = labels(shared.resolve("polarity-goemotions"));
        int taken = 0;
        for (final JsonNode e : events(shared.resolve("polarity-goemotions"))) {
            final JsonNode l = goLabels.get(e.path("event_id").asText());
            if (l == null || !goEmotionsSplit.equals(l.path("split").asText())) {
                continue;
            }
            final String text = e.path("text").asText();
            if (RISK_WORDS.matcher(text).find() || taken >= limit) {
                continue;
            }
            taken++;
            out.add(new Example(e.path("event_id").asText(), text, 0, "goemotions", "ordinary", goEmotionsSplit));
        }
        if (!"train".equals(goEmotionsSplit)) {
            return out;
        }
        final Map<String, JsonNode> xLabels = labels(shared.resolve("pushback-xstest"));
        final Set<String> seen = new LinkedHashSet<>();
        for (final JsonNode e : events(shared.resolve("pushback-xstest"))) {
            if (!"HUMAN".equals(e.path("role").asText())) {
                continue;
            }
            final String reply = e.path("conversation_id").asText() + ":1";
            final JsonNode l = xLabels.get(reply);
            if (l == null || !l.path("prompt_safe").asBoolean(false) || !seen.add(e.path("text").asText())) {
                continue;
            }
            out.add(new Example(e.path("event_id").asText(), e.path("text").asText(), 0, "xstest", "safe_prompt", "train"));
        }
        final Map<String, JsonNode> cLabels = labels(shared.resolve("pushback-coconot"));
        seen.clear();
        for (final JsonNode e : events(shared.resolve("pushback-coconot"))) {
            if (!"HUMAN".equals(e.path("role").asText())) {
                continue;
            }
            final String cid = e.path("conversation_id").asText();
            JsonNode l = cLabels.get(cid + ":1");
            if (l == null) {
                continue;
            }
            if (l.path("category").asText().contains("safety") || RISK_WORDS.matcher(e.path("text").asText()).find()
                    || !seen.add(e.path("text").asText())) {
                continue;
            }
            out.add(new Example(e.path("event_id").asText(), e.path("text").asText(), 0, "coconot", "prompt", "train"));
        }
        return out;
    }

    static Map<String, JsonNode> labels(final Path folder) throws IOException {
        final Map<String, JsonNode> m = new HashMap<>();
        for (final JsonNode l : lines(folder.resolve("labels.jsonl"))) {
            if (l.has("event_id")) {
                m.put(l.path("event_id").asText(), l);
            }
        }
        return m;
    }

    static List<JsonNode> events(final Path folder) throws IOException {
        return lines(folder.resolve("events.jsonl"));
    }

    private static List<JsonNode> lines(final Path file) throws IOException {
        final List<JsonNode> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }
}
