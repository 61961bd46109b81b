package dev.vigil.classify;

import static dev.vigil.classify.Messages.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.schema.CrisisEvidence;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.CrisisTier;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The semantic crisis tier as the stream runs it: tiers, the budget, the shipped model's file. */
class SemanticCrisisTest {
    private static final String DISCLOSURE = "I have decided I am going to end my life this weekend, I've saved up my pills.";
    private static final String ORDINARY = "Can you help me write a cover letter for a marketing job?";

    @Test
    void shouldGradeOrdinaryMessagesInTheFastTierWithoutTheEncoder() {
        final MessageSignals s = Classifiers.standard().classify(event(Role.HUMAN, ORDINARY));
        assertEquals(CrisisTier.FAST, s.getCrisisTier());
        assertEquals(CrisisLevel.NONE, s.getCrisisLevel());
    }

    @Test
    void shouldEscalateADisclosureToTheEncoderAndSayWhichTierGradedIt() {
        final MessageSignals s = Classifiers.standard().classify(event(Role.HUMAN, DISCLOSURE));
        assertEquals(CrisisTier.ENCODER, s.getCrisisTier());
        assertTrue(s.getCrisisLevel().ordinal() >= CrisisLevel.ACTIVE_IDEATION.ordinal(), s.getCrisisLevel().toString());
        assertTrue(s.getCrisisEvidence() == CrisisEvidence.ENCODER || s.getCrisisEvidence() == CrisisEvidence.PHRASE);
    }

    @Test
    void shouldLetTheFastGradeStandAndSaySoOnceTheBudgetIsSpent() {
        final long before = Classifiers.semantic().encoderInputs();
        final MessageClassifier capped = Classifiers.forStream(new EncoderBudget(0.001, 1));
        // All at the same event time: the first takes the one call of the burst.
        final MessageSignals first = capped.classify(event(Role.HUMAN, DISCLOSURE));
        final MessageSignals second = capped.classify(event(Role.HUMAN, DISCLOSURE));
        assertEquals(CrisisTier.ENCODER, first.getCrisisTier());
        assertEquals(CrisisTier.FAST_OVER_BUDGET, second.getCrisisTier());
        assertEquals(1, Classifiers.semantic().encoderInputs() - before, "only the first reached the encoder");
        assertTrue(second.getCrisisLevel() != null);
    }

    @Test
    void shouldFindADisclosureAtTheEndOfALongMessage() {
        final String filler = "We spent most of the weekend repainting the kitchen and arguing about the colour of the "
                + "cupboards, then went to my sister's for lunch where the kids ran around the garden. ";
        final String text = filler.repeat(8) + "Honestly I don't see the point any more and I've been looking up "
                + "how many of my tablets it would take to not wake up.";
        final MessageSignals s = Classifiers.standard().classify(event(Role.HUMAN, text));
        assertTrue(s.getTokenCount() > SemanticCrisis.CHUNK_TOKENS, "the message is longer than one encoder input");
        assertTrue(s.getCrisisLevel().ordinal() >= CrisisLevel.ACTIVE_IDEATION.ordinal(), s.getCrisisLevel().toString());
    }

    @Test
    void shouldGradeTheSameMessageTheSameWayEveryTime() {
        final MessageSignals a = Classifiers.standard().classify(event(Role.HUMAN, DISCLOSURE));
        final MessageSignals b = Classifiers.standard().classify(event(Role.HUMAN, DISCLOSURE));
        assertEquals(a.getCrisisLevel(), b.getCrisisLevel());
        assertEquals(a.getCrisisScore(), b.getCrisisScore());
    }

    @Test
    void shouldReadBackTheModelFileItWrites() throws Exception {
        final SemanticCrisis shipped = Classifiers.semantic();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shipped.write(bytes);
        final SemanticCrisis copy = SemanticCrisis.read(new ByteArrayInputStream(bytes.toByteArray()), shipped.vocab());
        assertEquals(shipped.contentHash(), copy.contentHash());
        assertEquals(shipped.settings(), copy.settings());
    }

    @Test
    void shouldNeedEveryReferralClassTogetherToReachTheReferralRung() {
        // Torn between plan and attempt: neither alone passes 0.5, together they do.
        assertEquals(CrisisLevel.BEHAVIOR, SemanticCrisis.grade(new double[] {0.3, 0.1, 0.0, 0.29, 0.31}, 0.5));
        assertEquals(CrisisLevel.PASSIVE_IDEATION, SemanticCrisis.grade(new double[] {0.4, 0.3, 0.1, 0.1, 0.1}, 0.5));
        assertEquals(CrisisLevel.NONE, SemanticCrisis.grade(new double[] {0.6, 0.1, 0.1, 0.1, 0.1}, 0.5));
    }
}
