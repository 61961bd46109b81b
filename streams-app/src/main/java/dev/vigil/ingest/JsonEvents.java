package dev.vigil.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The JSON-lines form of conversation events ({@code ../shared/data/*}/events.jsonl and the
 * output of {@code vigil simulate --output}), the one parser of that format for every command:
 * {@code {"event_id","conversation_id","account_id","turn","role","text","timestamp"}} plus the
 * optional {@code language, country, model, surface}. The timestamp is ISO-8601
 * ({@code 2026-01-05T09:00:00Z}) or an integer of epoch milliseconds; the role is matched without
 * regard to case.
 *
 * <p>Only what cannot become an Avro record is rejected here (not JSON, a required field absent
 * or of the wrong type, an unreadable timestamp). Everything else, such as blank ids, unknown
 * roles or oversize text, is judged by {@link EventValidator}: in the stream for
 * {@code vigil produce}, on the spot for {@code vigil classify}, so one set of rules decides what
 * is valid. Errors name the field, never the text.
 */
public final class JsonEvents {
    /**
     * Strict about what one line is: a second value after the object ({@code {..} {..}} or
     * {@code {..} junk}) and a field given twice are not JSON Vigil guesses at; they are rejected.
     */
    private static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonEvents() {
    }

    /** A parsed line: exactly one of {@code event} and {@code rejection} is set. */
    public record Parsed(ConversationEvent event, Rejection rejection, String conversationId) {
    }

    public static Parsed parse(final String line) {
        final JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (final JsonProcessingException e) {
            return rejected(DeadLetterReason.MALFORMED_JSON, e.getLocation() == null ? "not valid JSON"
                    : "not valid JSON at column " + e.getLocation().getColumnNr(), null);
        }
        if (node == null || !node.isObject()) {
            return rejected(DeadLetterReason.MALFORMED_JSON, "line is not a JSON object", null);
        }
        final String conversationId = text(node, "conversation_id");
        for (final String field : new String[] {"event_id", "conversation_id", "account_id", "role", "text"}) {
            final JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return rejected(DeadLetterReason.MISSING_FIELD, field + " is missing", conversationId);
            }
            if (!v.isTextual()) {
                return rejected(DeadLetterReason.INVALID_FIELD, field + " is not a string", conversationId);
            }
        }
        final JsonNode turn = node.get("turn");
        if (turn == null || turn.isNull()) {
            return rejected(DeadLetterReason.MISSING_FIELD, "turn is missing", conversationId);
        }
        if (!turn.canConvertToInt() || !turn.isIntegralNumber()) {
            return rejected(DeadLetterReason.INVALID_FIELD, "turn is not an integer", conversationId);
        }
        final JsonNode time = node.get("timestamp");
        if (time == null || time.isNull()) {
            return rejected(DeadLetterReason.MISSING_FIELD, "timestamp is missing", conversationId);
        }
        final Instant timestamp;
        if (time.isIntegralNumber() && time.canConvertToLong()) {
            timestamp = Instant.ofEpochMilli(time.longValue());
        } else if (!time.isTextual()) {
            return rejected(DeadLetterReason.INVALID_FIELD, "timestamp is neither ISO-8601 nor epoch milliseconds",
                    conversationId);
        } else {
            try {
                timestamp = Instant.parse(time.asText());
            } catch (final DateTimeParseException e) {
                return rejected(DeadLetterReason.INVALID_FIELD, "timestamp is not ISO-8601 (e.g. 2026-01-05T09:00:00Z)",
                        conversationId);
            }
        }
        final ConversationEvent event = ConversationEvent.newBuilder()
                .setEventId(text(node, "event_id"))
                .setConversationId(conversationId)
                .setAccountId(text(node, "account_id"))
                .setTurn(turn.intValue())
                .setRole(role(text(node, "role")))
                .setText(text(node, "text"))
                .setTimestamp(timestamp)
                .setLanguage(text(node, "language"))
                .setCountry(text(node, "country"))
                .setModel(text(node, "model"))
                .setSurface(text(node, "surface"))
                .build();
        return new Parsed(event, null, conversationId);
    }

    /** One event as a JSON line, the inverse of {@link #parse}. */
    public static String toJson(final ConversationEvent e) {
        final ObjectNode n = MAPPER.createObjectNode();
        n.put("event_id", e.getEventId());
        n.put("conversation_id", e.getConversationId());
        n.put("account_id", e.getAccountId());
        n.put("turn", e.getTurn());
        n.put("role", e.getRole().name());
        n.put("text", e.getText());
        n.put("timestamp", e.getTimestamp().toString());
        putIfSet(n, "language", e.getLanguage());
        putIfSet(n, "country", e.getCountry());
        putIfSet(n, "model", e.getModel());
        putIfSet(n, "surface", e.getSurface());
        return n.toString();
    }

    /**
     * An unknown role becomes {@link Role#UNKNOWN}, exactly what Avro does with a writer symbol
     * the reader does not know; the stream then dead-letters it as {@code unknown-enum}.
     */
    static Role role(final String value) {
        try {
            return Role.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
            return Role.UNKNOWN;
        }
    }

    private static void putIfSet(final ObjectNode n, final String field, final String value) {
        if (value != null) {
            n.put(field, value);
        }
    }

    private static String text(final JsonNode node, final String field) {
        final JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Parsed rejected(final DeadLetterReason reason, final String error, final String conversationId) {
        return new Parsed(null, new Rejection(reason, error), conversationId);
    }
}
