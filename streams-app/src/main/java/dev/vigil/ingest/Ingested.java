package dev.vigil.ingest;

import dev.vigil.schema.ConversationEvent;

/**
 * One input record after ingestion: either a valid event, or a rejection that carries the
 * record's original value bytes for the dead-letter topic.
 */
public record Ingested(ConversationEvent event, Rejection rejection, byte[] originalValue) {

    static Ingested valid(final ConversationEvent event) {
        return new Ingested(event, null, null);
    }

    static Ingested rejected(final Rejection rejection, final byte[] originalValue) {
        return new Ingested(null, rejection, originalValue);
    }

    public boolean isValid() {
        return rejection == null;
    }
}
