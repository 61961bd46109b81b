package dev.vigil.classify;

import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Sentiment;
import org.junit.jupiter.api.Test;

import static dev.vigil.classify.Messages.assistant;
import static dev.vigil.classify.Messages.human;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each head's scores sit on the scale the rest of Vigil reads them on. */
class CalibrationTest {

    @Test
    void shouldOrderSentimentScoresFromDespairToDelight() {
        final double awful = human("This is the worst day of my life. Everything is ruined and I hate it.").getSentimentScore();
        final double plain = human("The meeting is at three o'clock in room four.").getSentimentScore();
        final double great = human("Thank you so much, this is wonderful news and I'm really happy!").getSentimentScore();
        assertTrue(awful < plain && plain < great, awful + " < " + plain + " < " + great);
        assertTrue(awful <= -0.3, "clearly negative message scored " + awful);
        assertTrue(great >= 0.3, "clearly positive message scored " + great);
    }

    @Test
    void shouldKeepSentimentScoreWithinMinusOneToOneAndAgreeWithTheClass() {
        for (final String text : new String[] {"I love it", "I hate it", "ok", "", "!!!???", "meh whatever"}) {
            final MessageSignals s = human(text);
            assertTrue(s.getSentimentScore() >= -1 && s.getSentimentScore() <= 1, text);
            // the class is the most likely bin; the score is the expectation, so it lies within one bin
            final double classValue = s.getSentiment().ordinal() * 0.5 - 1;
            assertTrue(Math.abs(classValue - s.getSentimentScore()) <= 0.75, text + " " + s.getSentiment());
        }
    }

    @Test
    void shouldFlipSentimentUnderNegation() {
        assertTrue(human("I am not happy with this at all.").getSentimentScore()
                < human("I am happy with this.").getSentimentScore());
    }

    @Test
    void shouldRaiseCrisisScoreWithTheLadder() {
        final double none = human("Can you help me plan a birthday party for my sister?").getCrisisScore();
        final double passive = human("Lately I wish I could just disappear and not wake up.").getCrisisScore();
        final double plan = human("I have the pills ready and I'm going to kill myself tonight.").getCrisisScore();
        assertTrue(none < 0.5, "no risk scored " + none);
        assertTrue(passive >= 0.6 && passive <= plan, passive + " <= " + plan);
        // From 2.0.0 the score is the expected severity on the ladder: 0.65 for a certain passive
        // wish, 0.8 active ideation, 0.9 a plan, 1 behaviour; a plan with some doubt toward active
        // ideation sits a little below 0.9.
        assertTrue(plan >= 0.85, "a plan scored " + plan);
    }

    @Test
    void shouldSeparateRefusalsFromComplianceInPushback() {
        assertEquals(Boolean.TRUE, assistant("I'm sorry, but I cannot provide instructions for that.").getPushback());
        assertEquals(Boolean.FALSE, assistant("Here is a simple recipe: mix flour, water and salt, then knead "
                + "for ten minutes and bake at 220 degrees.").getPushback());
    }

    @Test
    void shouldScoreAffectiveUseAboveTaskUse() {
        final double support = human("I feel so alone since my mum died and I don't know how to cope.").getAffectiveScore();
        final double task = human("Convert this CSV file to JSON with Python.").getAffectiveScore();
        assertTrue(support > 0.5 && task < 0.5, support + " vs " + task);
    }

    @Test
    void shouldLeaveFieldsOfTheOtherRoleNull() {
        final MessageSignals h = human("I had a lovely walk today.");
        assertNull(h.getPushback());
        assertNull(h.getReferral());
        assertTrue(h.getSimhash() != null);
        final MessageSignals a = assistant("Glad to hear it!");
        assertNull(a.getSentiment());
        assertNull(a.getCrisisLevel());
        assertNull(a.getAffectiveCategory());
        assertNull(a.getSimhash());
        assertEquals(Sentiment.class, h.getSentiment().getClass());
        assertEquals(CrisisLevel.NONE, h.getCrisisLevel());
    }

    @Test
    void shouldStampAVersionThatNamesTheModelResources() {
        final String version = Classifiers.standard().version();
        // Linear models (8), lexicon (4) and semantic crisis tier (4): a change to any is a new version.
        assertTrue(version.matches("vigil-clf-\\d+\\.\\d+\\.\\d+\\+[0-9a-f]{16}"), version);
        assertEquals(version, human("hello").getClassifierVersion());
    }
}
