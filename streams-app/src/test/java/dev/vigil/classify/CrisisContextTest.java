package dev.vigil.classify;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Repeated elevated crisis scores in one conversation add up; other conversations do not count. */
class CrisisContextTest {

    @Test
    void shouldCountAsDisclosureOnlyOnceTheConversationRepeatsElevatedMessages() {
        final CrisisContext context = new CrisisContext(100);
        for (int i = 1; i < CrisisContext.MESSAGES; i++) {
            assertFalse(context.recordElevated("user-a"), "elevated message " + i + " alone is not a disclosure");
        }
        assertTrue(context.recordElevated("user-a"));
    }

    @Test
    void shouldNotPoolEvidenceAcrossConversations() {
        final CrisisContext context = new CrisisContext(100);
        for (int i = 0; i < CrisisContext.MESSAGES - 1; i++) {
            context.recordElevated("user-a");
        }
        assertFalse(context.recordElevated("user-b"));
        assertFalse(context.recordElevated(null), "a message without a conversation has no context");
    }

    @Test
    void shouldForgetTheLeastRecentConversationWhenFull() {
        final CrisisContext context = new CrisisContext(2);
        for (int i = 0; i < CrisisContext.MESSAGES - 1; i++) {
            context.recordElevated("user-a");
        }
        context.recordElevated("user-b");
        context.recordElevated("user-c"); // evicts user-a, the least recently seen
        assertFalse(context.recordElevated("user-a"), "evicted evidence must not count");
    }
}
