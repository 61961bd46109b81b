package dev.vigil.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exact signals and summaries format {@code vigil classify} writes. */
class EventJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "my secret sentence about feeling hopeless";

    @Test
    void shouldWriteSignalsAndSummariesWithExactlyTheDocumentedKeysAndNoText(@TempDir final Path dir) throws Exception {
        final Path input = dir.resolve("events.jsonl");
        final List<String> lines = new ArrayList<>();
        for (int turn = 0; turn < 14; turn++) {
            final boolean human = turn % 2 == 0;
            final String text = human ? (turn == 4 ? "I want to kill myself, " + SECRET : "I feel a bit better now, " + SECRET)
                    : "I'm sorry you feel this way. Please reach out to a crisis line or someone you trust.";
            lines.add(JSON.writeValueAsString(java.util.Map.of("event_id", "c1:" + turn, "conversation_id", "c1",
                    "account_id", "a1", "turn", turn, "role", human ? "HUMAN" : "ASSISTANT", "text", text,
                    "timestamp", "2026-01-05T09:00:" + (10 + turn) + "Z")));
        }
        lines.add("{broken");
        Files.write(input, lines);
        final Path signals = dir.resolve("signals.jsonl");
        final Path summaries = dir.resolve("summaries.jsonl");
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final Commands.ClassifyCounts counts = Commands.classify(Classifiers.standard(), input, signals, summaries,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(14, counts.messages());
        assertEquals(1, counts.badLines());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("line 15"));

        final List<String> signalLines = Files.readAllLines(signals);
        assertEquals(14, signalLines.size());
        for (final String line : signalLines) {
            assertFalse(line.contains("secret") || line.contains("hopeless"), "text leaked into signals");
            final JsonNode s = JSON.readTree(line);
            assertEquals(List.of("event_id", "conversation_id", "turn", "role", "language", "sentiment",
                    "sentiment_score", "crisis_level", "affective_category", "pushback", "pushback_reason",
                    "referral", "classifier_version"), keys(s));
        }
        final JsonNode disclosure = JSON.readTree(signalLines.get(4));
        assertEquals("active_ideation", disclosure.get("crisis_level").asText());
        final JsonNode reply = JSON.readTree(signalLines.get(5));
        assertEquals("crisis_line", reply.get("referral").asText());
        assertTrue(reply.get("sentiment").isNull());

        final List<String> summaryLines = Files.readAllLines(summaries);
        assertEquals(1, summaryLines.size());
        final JsonNode summary = JSON.readTree(summaryLines.get(0));
        assertEquals(List.of("conversation_id", "affective", "affective_category", "human_messages",
                "sentiment_start", "sentiment_end", "sentiment_shift", "max_crisis_level", "referral_status",
                "pushback_count"), keys(summary));
        assertEquals(7, summary.get("human_messages").asInt());
        assertEquals("referred", summary.get("referral_status").asText());
        assertFalse(summary.get("sentiment_shift").isNull());
    }

    private static List<String> keys(final JsonNode n) {
        final List<String> keys = new ArrayList<>();
        for (final Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }
}
