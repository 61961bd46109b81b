package dev.vigil.classify;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void shouldTakePlainEnglishOpeningsAsEnglishWithoutTheDetector() {
        for (final String text : new String[] {
            "Hey, can you help me fix this python error? It says the list index is out of range when I run the loop.",
            "I have been feeling quite stressed about my exams and I do not know how to relax.",
            "What would you say to a friend who keeps cancelling plans with you at the last minute?"}) {
            assertTrue(ConversationLanguage.clearlyEnglish(text, new Tokens().read(text)), text);
        }
    }

    @Test
    void shouldLeaveOtherLanguagesAndShortOpeningsToTheDetector() {
        for (final String text : new String[] {
            "Ik weet niet wat ik moet doen met mijn leven, het is allemaal te veel voor mij op dit moment.",
            "No se que hacer con mi vida, todo es demasiado para mi ahora y estoy cansado de todo esto.",
            "Nie wiem co mam zrobic z moim zyciem, to wszystko jest dla mnie za duzo i jestem zmeczony.",
            "Non so cosa fare con la mia vita, tutto e troppo per me in questo momento e sono stanco.",
            "Jag vet inte vad jag ska gora med mitt liv, det ar for mycket for mig just nu.",
            "Je ne sais pas quoi faire de ma vie, tout est trop pour moi en ce moment et je suis fatigué.",
            "Hi, how are you?"}) {
            assertFalse(ConversationLanguage.clearlyEnglish(text, new Tokens().read(text)), text);
        }
        final MessageClassifier c = Classifiers.standard();
        assertEquals("nl", c.classify(event("lang-nl", 0,
                "Ik weet niet wat ik moet doen met mijn leven, het is allemaal te veel voor mij op dit moment.", null))
                .getLanguage());
        assertEquals("es", c.classify(event("lang-es", 0,
                "No se que hacer con mi vida, todo es demasiado para mi ahora y estoy cansado de todo esto.", null))
                .getLanguage());
    }
}
