package dev.vigil.ingest;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;

/**
 * The rules a conversation event must meet before it is classified. A record that breaks one
 * goes to the dead-letter topic instead of reaching the classifier, where a blank id or an
 * unknown role would silently corrupt per-conversation state.
 */
public final class EventValidator {
    /** Default text limit: far above any chat message, well below what would strain the classifier. */
    public static final int DEFAULT_MAX_TEXT_CHARS = 32_768;

    private final int maxTextChars;

    public EventValidator(final int maxTextChars) {
        if (maxTextChars < 1) {
            throw new IllegalArgumentException("maxTextChars must be positive");
        }
        this.maxTextChars = maxTextChars;
    }

    public EventValidator() {
        this(DEFAULT_MAX_TEXT_CHARS);
    }

    public int maxTextChars() {
        return maxTextChars;
    }

    /** The first rule {@code e} breaks, or null when it is fit to classify. */
    public Rejection check(final ConversationEvent e) {
        if (blank(e.getEventId())) {
            return missing("event_id");
        }
        if (blank(e.getConversationId())) {
            return missing("conversation_id");
        }
        if (blank(e.getAccountId())) {
            return missing("account_id");
        }
        if (e.getRole() == null || e.getRole() == Role.UNKNOWN) {
            // An unknown writer symbol resolves to the UNKNOWN default: the producer sent a role
            // this version of Vigil does not know.
            return new Rejection(DeadLetterReason.UNKNOWN_ENUM, "role is not HUMAN or ASSISTANT");
        }
        if (e.getText() == null || e.getText().isBlank()) {
            return missing("text");
        }
        if (e.getText().length() > maxTextChars) {
            return new Rejection(DeadLetterReason.OVERSIZE_TEXT,
                    "text has " + e.getText().length() + " characters, limit " + maxTextChars);
        }
        if (e.getTurn() < 0) {
            return new Rejection(DeadLetterReason.INVALID_FIELD, "turn is negative: " + e.getTurn());
        }
        if (e.getTimestamp() == null || e.getTimestamp().toEpochMilli() <= 0) {
            return new Rejection(DeadLetterReason.INVALID_FIELD, "timestamp is not after the epoch");
        }
        return null;
    }

    private static Rejection missing(final String field) {
        return new Rejection(DeadLetterReason.MISSING_FIELD, field + " is missing or blank");
    }

    private static boolean blank(final String s) {
        return s == null || s.isBlank();
    }
}
