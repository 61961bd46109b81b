package dev.vigil.ingest;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonEventsTest {
    private static final String GOOD = "{\"event_id\": \"c1:0\", \"conversation_id\": \"c1\", \"account_id\": \"a1\", "
            + "\"turn\": 0, \"role\": \"HUMAN\", \"text\": \"hi\", \"timestamp\": \"2026-01-05T09:00:00Z\"}";

    @Test
    void shouldReadTheSharedDataFormat() {
        final ConversationEvent e = JsonEvents.parse(GOOD).event();
        assertEquals("c1", e.getConversationId());
        assertEquals(Role.HUMAN, e.getRole());
        assertEquals(Instant.parse("2026-01-05T09:00:00Z"), e.getTimestamp());
        assertNull(e.getModel());
    }

    @Test
    void shouldRoundTripThroughJson() {
        final ConversationEvent e = JsonEvents.parse(GOOD).event();
        e.setModel("m");
        assertEquals(e, JsonEvents.parse(JsonEvents.toJson(e)).event());
    }

    @Test
    void shouldRejectWhatCannotBecomeAnEventWithAReason() {
        assertEquals(DeadLetterReason.MALFORMED_JSON, JsonEvents.parse("{\"event_id\": ").rejection().reason());
        assertEquals(DeadLetterReason.MALFORMED_JSON, JsonEvents.parse("[1, 2]").rejection().reason());
        assertEquals(DeadLetterReason.MISSING_FIELD, JsonEvents.parse(GOOD.replace("\"text\": \"hi\", ", "")).rejection().reason());
        assertEquals(DeadLetterReason.INVALID_FIELD, JsonEvents.parse(GOOD.replace("\"turn\": 0", "\"turn\": \"zero\"")).rejection().reason());
        assertEquals(DeadLetterReason.INVALID_FIELD,
                JsonEvents.parse(GOOD.replace("2026-01-05T09:00:00Z", "yesterday")).rejection().reason());
    }

    @Test
    void shouldKeepTheConversationIdOfARejectedLineForItsDeadLetterKey() {
        assertEquals("c1", JsonEvents.parse(GOOD.replace("\"text\": \"hi\", ", "")).conversationId());
    }

    @Test
    void shouldTurnAnUnknownRoleIntoUnknownForTheStreamToReject() {
        assertEquals(Role.UNKNOWN, JsonEvents.parse(GOOD.replace("HUMAN", "MODERATOR")).event().getRole());
    }

    @Test
    void shouldNameTheProblemButNeverTheTextOfABadLine() {
        final String secret = "my secret sentence about feeling hopeless";
        for (final String line : List.of(
                GOOD.replace("\"hi\"", "\"" + secret + "\"").replace(", \"timestamp\": \"2026-01-05T09:00:00Z\"", ""),
                GOOD.replace("\"hi\"", "\"" + secret + "\"").replace("\"turn\": 0", "\"turn\": 0.5"),
                "{\"text\": \"" + secret + "\"")) {
            final Rejection r = JsonEvents.parse(line).rejection();
            assertFalse(r.error().contains("hopeless"), r.error());
        }
        assertTrue(JsonEvents.parse(GOOD.replace(", \"timestamp\": \"2026-01-05T09:00:00Z\"", "")).rejection().error()
                .contains("timestamp"));
    }

    @Test
    void shouldReadEpochMillisecondsAsWellAsIsoTimestamps() {
        assertEquals(Instant.parse("2026-01-05T09:00:00Z"),
                JsonEvents.parse(GOOD.replace("\"2026-01-05T09:00:00Z\"", "1767603600000")).event().getTimestamp());
        assertEquals(DeadLetterReason.INVALID_FIELD, JsonEvents.parse(GOOD.replace("\"2026-01-05T09:00:00Z\"", "true"))
                .rejection().reason());
    }

    @Test
    void shouldNeedAnAccountId() {
        assertEquals(DeadLetterReason.MISSING_FIELD,
                JsonEvents.parse(GOOD.replace("\"account_id\": \"a1\", ", "")).rejection().reason());
    }
}
