package dev.vigil.classify;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Language comes from the producer when given, otherwise from detection once per conversation. */
class LanguageTest {

    private static ConversationEvent event(final String conversation, final int turn, final String text,
                                           final String language) {
        return ConversationEvent.newBuilder().setEventId(conversation + ":" + turn).setConversationId(conversation)
                .setAccountId("a").setTurn(turn).setRole(Role.HUMAN).setText(text)
                .setTimestamp(Instant.parse("2026-01-05T09:00:00Z")).setLanguage(language).build();
    }

    @Test
    void shouldDetectTheConversationsLanguage() {
        final MessageClassifier c = Classifiers.standard();
        assertEquals("en", c.classify(event("lang-en", 0,
                "I have been feeling quite stressed about my exams and I do not know how to relax.", null)).getLanguage());
        assertEquals("de", c.classify(event("lang-de", 0,
                "Ich mache mir große Sorgen um meine Prüfungen und weiß nicht, wie ich mich entspannen soll.", null))
                .getLanguage());
    }

    @Test
    void shouldKeepTheConversationsLanguageOnceKnown() {
        final MessageClassifier c = Classifiers.standard();
        c.classify(event("lang-fixed", 0, "Could you help me write a polite email to my landlord about the heating?", null));
        assertEquals("en", c.classify(event("lang-fixed", 2, "Merci beaucoup !", null)).getLanguage());
    }

    @Test
    void shouldHonourTheProducersLanguage() {
        assertEquals("pt", Classifiers.standard().classify(event("lang-given", 0, "Hello there, how are you?", "pt"))
                .getLanguage());
    }
}
