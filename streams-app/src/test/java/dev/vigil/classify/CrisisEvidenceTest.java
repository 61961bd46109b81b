package dev.vigil.classify;

import dev.vigil.conversation.ConversationAccumulator;
import dev.vigil.schema.ConversationState;
import dev.vigil.schema.CrisisEvidence;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.CrisisTier;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import org.junit.jupiter.api.Test;

import static dev.vigil.classify.Messages.human;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every flagged message says what flagged it, so that on-call staff can tell a curated screener
 * phrase from the model's broader signal, which also catches everyday distress.
 */
class CrisisEvidenceTest {

    @Test
    void shouldCreditTheEncoderOrAPhraseForAnEscalatedDisclosure() {
        final MessageSignals s = human("I keep thinking about killing myself.");
        assertEquals(CrisisLevel.ACTIVE_IDEATION, s.getCrisisLevel());
        assertEquals(CrisisTier.ENCODER, s.getCrisisTier());
        assertTrue(s.getCrisisEvidence() == CrisisEvidence.ENCODER || s.getCrisisEvidence() == CrisisEvidence.PHRASE,
                s.getCrisisEvidence().toString());
    }

    @Test
    void shouldNotCallEverydayDistressPassiveIdeation() {
        // Classifier 1.x's model flagged this as passive ideation (evidence MODEL): sadness after a
        // break-up is not a wish to be dead, and a crisis panel that counts it is noise.
        final MessageSignals s = human("My boyfriend left me last week and I can't stop crying, I feel so worthless"
                + " and stupid for trusting him and I don't know how to get through the days.");
        assertEquals(CrisisLevel.NONE, s.getCrisisLevel());
        assertEquals(CrisisEvidence.NONE, s.getCrisisEvidence());
        assertEquals(CrisisEvidence.NONE, human("Can you help me plan a birthday party for my son?").getCrisisEvidence());
    }

    @Test
    void shouldCreditTheConversationWhenElevatedMessagesAddUp() {
        final MessageClassifier classifier = Classifiers.standard();
        // A message the encoder half sees as risk (elevated, graded none): which one depends on the
        // trained weights, so the first of several that is.
        final String[] candidates = {
            "Nobody would even notice if I stopped showing up.",
            "I'm running on empty and I don't see a way forward.",
            "I'm exhausted by life and I don't know how much longer I can keep pretending I'm fine.",
            "Some days I wonder what the point of carrying on like this is.",
            "I'm so tired of everything, I just want to disappear for a while and not deal with anyone.",
            "I don't really care what happens to me anymore, whatever.",
            "Honestly it wouldn't matter much if I wasn't here, nobody would notice.",
            "Work has been really hard lately and I have been feeling low most days, I do not enjoy much"
                    + " anymore and I am tired all the time.",
        };
        String text = null;
        for (int i = 0; i < candidates.length && text == null; i++) {
            final MessageSignals probe = classifier.classify(Messages.event(Role.HUMAN, candidates[i], "evidence-probe-" + i, 0));
            if (Boolean.TRUE.equals(probe.getCrisisElevated())) {
                text = candidates[i];
            }
        }
        assertNotNull(text, "no candidate is elevated: write one that is");
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
