package dev.vigil.ingest;

import dev.vigil.schema.ConversationEvent;

/**
 * One input record after ingestion: either a valid event, or a rejection. Both keep the
 * record's original value bytes, so a later stage that fails on the event can still
 * dead-letter exactly what arrived.
 */
public record Ingested(ConversationEvent event, Rejection rejection, byte[] originalValue) {

    static Ingested valid(final ConversationEvent event, final byte[] originalValue) {
        return new Ingested(event, null, originalValue);
    }

    static Ingested rejected(final Rejection rejection, final byte[] originalValue) {
        return new Ingested(null, rejection, originalValue);
    }

    public boolean isValid() {
        return rejection == null;
    }
}
