package dev.vigil.classify;

import dev.vigil.conversation.ConversationAccumulator;
import dev.vigil.schema.ConversationState;
import dev.vigil.schema.CrisisEvidence;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import org.junit.jupiter.api.Test;

import static dev.vigil.classify.Messages.human;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every flagged message says what flagged it, so that on-call staff can tell a curated screener
 * phrase from the model's broader signal, which also catches everyday distress.
 */
class CrisisEvidenceTest {

    @Test
    void shouldCreditACuratedPhrase() {
        final MessageSignals s = human("I keep thinking about killing myself.");
        assertEquals(CrisisLevel.ACTIVE_IDEATION, s.getCrisisLevel());
        assertEquals(CrisisEvidence.PHRASE, s.getCrisisEvidence());
    }

    @Test
    void shouldCreditTheModelWhenNoPhraseFired() {
        // Everyday distress of this length is what the model flags without a phrase (README).
        final MessageSignals s = human("My boyfriend left me last week and I can't stop crying, I feel so worthless"
                + " and stupid for trusting him and I don't know how to get through the days.");
        assertEquals(CrisisLevel.PASSIVE_IDEATION, s.getCrisisLevel());
        assertEquals(CrisisEvidence.MODEL, s.getCrisisEvidence());
        assertEquals(CrisisEvidence.NONE, human("Can you help me plan a birthday party for my son?").getCrisisEvidence());
    }

    @Test
    void shouldCreditTheConversationWhenElevatedMessagesAddUp() {
        final MessageClassifier classifier = Classifiers.standard();
        // A message the model scores between the context and the single-message thresholds: which
        // one depends on the trained weights, so the first of several that does.
        final String[] candidates = {
            "Work has been really hard lately and I have been feeling low most days, I do not enjoy much"
                    + " anymore and I am tired all the time.",
            "I have been feeling kind of empty for a few weeks now, nothing really seems to matter and I"
                    + " just go to work and come home and sleep.",
            "Things have been rough since the move, I miss my old friends and most evenings I just sit"
                    + " around feeling sorry for myself and tired.",
            "I am so stressed about money and my job that I can barely sleep, and I feel like I am"
                    + " letting everyone down all the time.",
            "I got rejected from every job I applied to this year and I feel like a total failure, everyone"
                    + " around me is moving on with their lives and I am stuck at home.",
        };
        String text = null;
        for (int i = 0; i < candidates.length && text == null; i++) {
            final double score = classifier.classify(Messages.event(Role.HUMAN, candidates[i], "evidence-probe-" + i, 0)).getCrisisScore();
            if (score >= StandardClassifier.CRISIS_CONTEXT_THRESHOLD && score < StandardClassifier.CRISIS_MODEL_THRESHOLD) {
                text = candidates[i];
            }
        }
        assertNotNull(text, "no candidate scores in the context band: write one that does");
        // The classifier marks each such message elevated, and flags none of them alone, however
        // many the conversation has: it keeps no memory of conversations.
        final ConversationAccumulator conversation = new ConversationAccumulator();
        ConversationState state = null;
        MessageSignals last = null;
        for (int i = 0; i < ConversationAccumulator.CONTEXT_MESSAGES; i++) {
            final MessageSignals s = classifier.classify(Messages.event(Role.HUMAN, text, "evidence-conversation", 2 * i));
            assertEquals(CrisisLevel.NONE, s.getCrisisLevel());
            assertEquals(Boolean.TRUE, s.getCrisisElevated());
            if (state == null) {
                state = conversation.start(s);
            }
            last = conversation.inContext(state, s);
            conversation.add(state, last);
            if (i < ConversationAccumulator.CONTEXT_MESSAGES - 1) {
                assertEquals(CrisisLevel.NONE, last.getCrisisLevel(), "one elevated message is not a disclosure");
            }
        }
        assertEquals(CrisisLevel.PASSIVE_IDEATION, last.getCrisisLevel());
        assertEquals(CrisisEvidence.CONVERSATION, last.getCrisisEvidence());
        assertEquals(CrisisLevel.PASSIVE_IDEATION, state.getMaxCrisisLevel());
        assertEquals(Boolean.FALSE, human("Can you help me plan a birthday party for my son?").getCrisisElevated());
    }

    @Test
    void shouldLeaveAssistantMessagesWithoutEvidence() {
        assertNull(Messages.assistant("I'm sorry you're going through this. You can call or text 988.").getCrisisEvidence());
    }
}
