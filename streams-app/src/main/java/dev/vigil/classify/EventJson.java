package dev.vigil.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.MessageSignals;
import dev.vigil.serde.AvroJson;

/**
 * The JSON output of {@code vigil classify}: one signals object per message and one summary per
 * conversation, with enum values spelled as everywhere else ({@link AvroJson#symbol}). The events
 * it reads are parsed by {@link dev.vigil.ingest.JsonEvents}, the one parser of that format.
 */
public final class EventJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventJson() {
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
