package dev.vigil.classify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.ingest.EventReader;
import dev.vigil.ingest.EventValidator;
import dev.vigil.ingest.Rejection;
import dev.vigil.schema.ConversationEvent;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One task folder of the labelled data layout ({@code events.jsonl} plus {@code labels.jsonl},
 * labels keyed by {@code event_id} or {@code conversation_id}), read whole: the largest folder
 * is a few tens of megabytes.
 */
final class LabelledData {
    final String name;
    final String task;
    final List<ConversationEvent> events;
    final Map<String, JsonNode> byEvent;
    final Map<String, JsonNode> byConversation;

    private LabelledData(final String name, final String task, final List<ConversationEvent> events,
                         final Map<String, JsonNode> byEvent, final Map<String, JsonNode> byConversation) {
        this.name = name;
        this.task = task;
        this.events = events;
        this.byEvent = byEvent;
        this.byConversation = byConversation;
    }

    static boolean isTaskFolder(final Path dir) {
        return Files.isRegularFile(dir.resolve("events.jsonl")) && Files.isRegularFile(dir.resolve("labels.jsonl"));
    }

    static LabelledData read(final Path dir) throws IOException {
        final List<ConversationEvent> events = new ArrayList<>();
        // The stream's rules, but no text limit: a long labelled message is still a fair test.
        final EventValidator rules = new EventValidator(Integer.MAX_VALUE);
        try (EventReader r = EventReader.open(dir.resolve("events.jsonl"))) {
            EventReader.Line line;
            while ((line = r.next()) != null) {
                final Rejection rejection = line.ok() ? rules.check(line.event()) : line.rejection();
                if (rejection != null) {
                    throw new IOException(dir.resolve("events.jsonl") + " line " + line.number() + ": "
                            + rejection.reason().code() + ": " + rejection.error());
                }
                events.add(line.event());
            }
        }
        final Map<String, JsonNode> byEvent = new HashMap<>();
        final Map<String, JsonNode> byConversation = new HashMap<>();
        String task = null;
        try (BufferedReader r = Files.newBufferedReader(dir.resolve("labels.jsonl"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                final JsonNode n = EventJson.mapper().readTree(line);
                if (task == null && n.hasNonNull("task")) {
                    task = n.get("task").asText();
                }
                if (n.hasNonNull("event_id")) {
                    byEvent.put(n.get("event_id").asText(), n);
                } else if (n.hasNonNull("conversation_id")) {
                    byConversation.put(n.get("conversation_id").asText(), n);
                }
            }
        }
        return new LabelledData(dir.getFileName().toString(), task == null ? "unknown" : task, events, byEvent,
                byConversation);
    }

    /**
     * The unit cross-validation keeps together: one prompt answered by several models (XSTest) or
     * one preference pair (CoCoNot) is one group, so no fold sees a sibling of its test items.
     */
    static String group(final String conversationId) {
        if (conversationId.startsWith("xstest-") || conversationId.startsWith("coconot-")) {
            final int dash = conversationId.lastIndexOf('-');
            return dash > 0 ? conversationId.substring(0, dash) : conversationId;
        }
        return conversationId;
    }

    /** Deterministic fold of a conversation among {@code folds}. */
    static int fold(final String conversationId, final int folds) {
        return (int) Long.remainderUnsigned(Tokens.hash(group(conversationId)), folds);
    }
}
