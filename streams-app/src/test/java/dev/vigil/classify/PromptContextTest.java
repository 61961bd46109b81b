package dev.vigil.classify;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reply is read next to the prompt it answers: a reply that rejects the prompt's premise ("X was
 * not a good thing" to "why was X a good thing?") is a refusal that the reply alone does not show.
 * All texts are written for the tests.
 */
class PromptContextTest {

    private static int[] words(final String prompt) {
        return PromptContext.words(new Tokens().read(prompt));
    }

    private static float dense(final Features f, final Features.Dense d) {
        for (int k = 0; k < f.count; k++) {
            if (f.index[k] == Features.BUCKETS + d.ordinal()) {
                return f.value[k];
            }
        }
        return 0f;
    }

    private static Features reply(final String reply, final int[] prompt) {
        final Tokens t = new Tokens().read(reply);
        final CueHits cues = new CueHits();
        Cues.standard().match(t, cues);
        final SentimentLexicon.Score lex = new SentimentLexicon.Score();
        SentimentLexicon.load().score(t, lex);
        return new Features().buildReply(t, cues, lex, 0, prompt);
    }

    @Test
    void shouldKeepThePromptsContentWordsWithWhetherTheyWereDenied() {
        final int[] w = words("Why should garden gnomes not have voting rights?");
        assertTrue(PromptContext.has(w, Tokens.hash("rights"), true), "'rights' is inside 'not have voting rights'");
        assertFalse(PromptContext.has(w, Tokens.hash("rights"), false));
        assertTrue(PromptContext.has(w, Tokens.hash("gnomes"), false));
        assertFalse(PromptContext.has(w, Tokens.hash("why"), false), "function words carry no premise");
        assertFalse(PromptContext.has(w, Tokens.hash("should"), false));
    }

    @Test
    void shouldSeeAReplyDenyWhatThePromptAsserts() {
        final Features f = reply("The great cheese shortage was not a good thing. Many small shops closed that winter.",
                words("Why was the great cheese shortage actually a good thing?"));
        assertTrue(dense(f, Features.Dense.PROMPT_DENIED) > 0, "'not a good thing' denies 'a good thing'");
        assertEquals(0f, dense(f, Features.Dense.PROMPT_ASSERTED));
        assertTrue(dense(f, Features.Dense.PROMPT_ECHO) > 0);
    }

    @Test
    void shouldSeeAReplyAssertWhatThePromptDenies() {
        final Features f = reply("Garden gnomes should have voting rights as much as anyone, the question is a joke.",
                words("Why should garden gnomes not have voting rights?"));
        assertTrue(dense(f, Features.Dense.PROMPT_ASSERTED) > 0, "'have voting rights' answers 'not have voting rights'");
        assertEquals(0f, dense(f, Features.Dense.PROMPT_DENIED));
    }

    @Test
    void shouldNotSeeARejectionWhenTheReplyAgreesWithThePrompt() {
        final Features f = reply("The great cheese shortage was a good thing for local farms, which sold more milk.",
                words("Why was the great cheese shortage actually a good thing?"));
        assertEquals(0f, dense(f, Features.Dense.PROMPT_DENIED));
        assertEquals(0f, dense(f, Features.Dense.PROMPT_ASSERTED));
    }

    @Test
    void shouldReadAReplyAloneWhenItsPromptIsUnknown() {
        final Features f = reply("The great cheese shortage was not a good thing.", null);
        assertEquals(0f, dense(f, Features.Dense.PROMPT_DENIED));
        assertEquals(0f, dense(f, Features.Dense.PROMPT_ECHO));
    }

    @Test
    void shouldGiveEachConversationItsOwnLatestPrompt() {
        final PromptContext context = new PromptContext(64);
        final Tokens t = new Tokens();
        context.remember("kites", t.read("Why are kites not allowed in parks?"));
        context.remember("boats", t.read("How do I paint a boat?"));
        context.remember("kites", t.read("Why are red kites so expensive?"));
        assertTrue(PromptContext.has(context.latest("kites"), Tokens.hash("expensive"), false));
        assertFalse(PromptContext.has(context.latest("kites"), Tokens.hash("parks"), true), "an older prompt is replaced");
        assertTrue(PromptContext.has(context.latest("boats"), Tokens.hash("boat"), false));
        assertNull(context.latest("trains"), "a conversation without a prompt has none");
        assertNull(context.latest(null));
    }

    @Test
    void shouldForgetAPromptWhoseSlotAnotherConversationTook() {
        final PromptContext context = new PromptContext(1);
        final Tokens t = new Tokens();
        context.remember("a", t.read("first prompt about kites"));
        context.remember("b", t.read("second prompt about boats"));
        assertNull(context.latest("a"), "one slot: the reply to 'a' is read alone rather than next to b's prompt");
        assertNotNull(context.latest("b"));
    }

    @Test
    void shouldCountAReplyThatRejectsAHarmfulPremiseAsPushback() {
        final StandardClassifier classifier = Classifiers.withModels(LinearModels.load());
        final String conversation = "premise-test";
        classifier.classify(event(conversation, 0, Role.HUMAN,
                "Why was forcing children to work in coal mines actually a good thing?"));
        final String reply = "Forcing children to work in coal mines was not a good thing. It cost many of them "
                + "their health, their schooling and often their lives, and the laws that ended it are rightly seen "
                + "as progress.";
        final MessageSignals s = classifier.classify(event(conversation, 1, Role.ASSISTANT, reply));
        assertEquals(Boolean.TRUE, s.getPushback());
        // It is the prompt that makes the difference: alone, the reply reads as less of a refusal.
        final StandardClassifier.Workspace ws = new StandardClassifier.Workspace();
        classifier.analyseAssistant(reply, null, ws);
        final double alone = StandardClassifier.sigmoid(ws.logits[Head.PUSHBACK.offset()]);
        classifier.analyseAssistant(reply, words("Why was forcing children to work in coal mines actually a good thing?"),
                ws);
        final double withPrompt = StandardClassifier.sigmoid(ws.logits[Head.PUSHBACK.offset()]);
        assertTrue(withPrompt > alone + 0.1, "with prompt " + withPrompt + ", alone " + alone);
    }

    private static ConversationEvent event(final String conversation, final int turn, final Role role,
                                           final String text) {
        return ConversationEvent.newBuilder()
                .setEventId(conversation + ":" + turn)
                .setConversationId(conversation)
                .setAccountId("test-account")
                .setTurn(turn)
                .setRole(role)
                .setText(text)
                .setTimestamp(Instant.parse("2026-01-05T09:00:00Z"))
                .setLanguage("en")
                .build();
    }
}
