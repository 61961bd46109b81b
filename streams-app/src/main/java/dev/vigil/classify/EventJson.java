package dev.vigil.classify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.serde.AvroJson;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The JSON line format of conversation events ({@code ../shared/data/*\/events.jsonl}, the input
 * of {@code vigil classify} and {@code vigil produce}) and the JSON output of signals and summaries.
 * Errors name the field, never the text.
 */
public final class EventJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventJson() {
    }

    /** Why a line is not a conversation event; the message never contains the event's text. */
    public static final class FormatException extends Exception {
        public FormatException(final String message) {
            super(message);
        }
    }

    /** Parses one JSON line into an event. */
    public static ConversationEvent parse(final String line) throws FormatException {
        final JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (final JsonProcessingException e) {
            throw new FormatException("malformed JSON at column " + e.getLocation().getColumnNr());
        }
        if (n == null || !n.isObject()) {
            throw new FormatException("not a JSON object");
        }
        final String conversationId = requiredText(n, "conversation_id");
        final ConversationEvent.Builder b = ConversationEvent.newBuilder()
                .setEventId(requiredText(n, "event_id"))
                .setConversationId(conversationId)
                .setAccountId(n.hasNonNull("account_id") ? n.get("account_id").asText() : conversationId)
                .setTurn(requiredInt(n, "turn"))
                .setRole(role(requiredText(n, "role")))
                .setText(requiredText(n, "text"))
                .setTimestamp(timestamp(n))
                .setLanguage(optionalText(n, "language"))
                .setCountry(optionalText(n, "country"))
                .setModel(optionalText(n, "model"))
                .setSurface(optionalText(n, "surface"));
        return b.build();
    }

    private static String requiredText(final JsonNode n, final String field) throws FormatException {
        final JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new FormatException("missing field " + field);
        }
        if (!v.isTextual()) {
            throw new FormatException("field " + field + " is not a string");
        }
        return v.asText();
    }

    private static int requiredInt(final JsonNode n, final String field) throws FormatException {
        final JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new FormatException("missing field " + field);
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new FormatException("field " + field + " is not an integer");
        }
        return v.asInt();
    }

    private static String optionalText(final JsonNode n, final String field) {
        final JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Role role(final String value) throws FormatException {
        try {
            final Role r = Role.valueOf(value.toUpperCase(Locale.ROOT));
            if (r != Role.UNKNOWN) {
                return r;
            }
        } catch (final IllegalArgumentException ignored) {
            // reported below
        }
        throw new FormatException("unknown role (expected HUMAN or ASSISTANT)");
    }

    private static Instant timestamp(final JsonNode n) throws FormatException {
        final JsonNode v = n.get("timestamp");
        if (v == null || v.isNull()) {
            throw new FormatException("missing field timestamp");
        }
        if (v.isIntegralNumber()) {
            return Instant.ofEpochMilli(v.asLong());
        }
        try {
            return Instant.parse(v.asText());
        } catch (final DateTimeParseException e) {
            throw new FormatException("timestamp is not ISO-8601 (e.g. 2026-01-05T09:00:00Z)");
        }
    }

    /** The signals of one message as the JSON object {@code vigil classify} writes. */
    public static ObjectNode signals(final MessageSignals s) {
        final ObjectNode o = MAPPER.createObjectNode();
        o.put("event_id", s.getEventId());
        o.put("conversation_id", s.getConversationId());
        o.put("turn", s.getTurn());
        o.put("role", lower(s.getRole()));
        o.put("language", s.getLanguage());
        o.put("sentiment", lower(s.getSentiment()));
        if (s.getSentimentScore() == null) {
            o.putNull("sentiment_score");
        } else {
            o.put("sentiment_score", s.getSentimentScore());
        }
        o.put("crisis_level", lower(s.getCrisisLevel()));
        o.put("affective_category", lower(s.getAffectiveCategory()));
        if (s.getPushback() == null) {
            o.putNull("pushback");
        } else {
            o.put("pushback", s.getPushback());
        }
        o.put("pushback_reason", lower(s.getPushbackReason()));
        o.put("referral", lower(s.getReferral()));
        o.put("classifier_version", s.getClassifierVersion());
        return o;
    }

    /** A conversation summary as the JSON object {@code vigil classify --summaries} writes. */
    public static ObjectNode summary(final ConversationSummary s) {
        final ObjectNode o = MAPPER.createObjectNode();
        o.put("conversation_id", s.getConversationId());
        o.put("affective", s.getAffective());
        o.put("affective_category", lower(s.getAffectiveCategory()));
        o.put("human_messages", s.getHumanMessages());
        putNullable(o, "sentiment_start", s.getSentimentStart());
        putNullable(o, "sentiment_end", s.getSentimentEnd());
        putNullable(o, "sentiment_shift", s.getSentimentShift());
        o.put("max_crisis_level", lower(s.getMaxCrisisLevel()));
        o.put("referral_status", lower(s.getReferralStatus()));
        o.put("pushback_count", s.getPushbackCount());
        return o;
    }

    private static void putNullable(final ObjectNode o, final String field, final Double v) {
        if (v == null) {
            o.putNull(field);
        } else {
            o.put(field, Math.round(v * 10000) / 10000.0);
        }
    }

    private static String lower(final Enum<?> e) {
        return AvroJson.symbol(e);
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }
}
