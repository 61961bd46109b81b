package dev.vigil.config;

/**
 * Names of the topics of Vigil's data flow (see DESIGN.md). A replay prefixes the output
 * topics so its results never mix with the live ones.
 */
public final class Topics {
    /** Avro {@code ConversationEvent}, key = conversation id. */
    public static final String CONVERSATION_EVENTS = "conversation-events";
    /** Original bytes of bad input records, with {@code vigil.dlq.*} headers naming the reason. */
    public static final String CONVERSATION_EVENTS_DLQ = "conversation-events.dlq";
    public static final String MESSAGE_SIGNALS = "safety.message-signals";
    public static final String CONVERSATION_SUMMARIES = "safety.conversation-summaries";
    public static final String AGGREGATES = "safety.aggregates";
    public static final String ALERTS = "safety.alerts";
    /** Alerts the router could not deliver after every retry. */
    public static final String ALERTS_DLQ = "safety.alerts.dlq";

    private Topics() {
    }

    /** An output topic as seen by a run with the given prefix (empty or null: the live name). */
    public static String prefixed(final String prefix, final String topic) {
        return prefix == null || prefix.isEmpty() ? topic : prefix + "." + topic;
    }
}
