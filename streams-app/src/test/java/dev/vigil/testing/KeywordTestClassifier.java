package dev.vigil.testing;

import dev.vigil.abuse.SimHash;
import dev.vigil.classify.MessageClassifier;
import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.PushbackReason;
import dev.vigil.schema.Referral;
import dev.vigil.schema.Role;
import dev.vigil.schema.Sentiment;

import java.util.Locale;

/**
 * TEST DOUBLE: a keyword classifier for runtime tests that need some classifier before the real
 * one is wired in. It is not Vigil's classifier and measures nothing; it only lets the runtime
 * tests see that events flow through {@code classify} to the signals topic.
 */
public final class KeywordTestClassifier implements MessageClassifier {
    public static final String VERSION = "keyword-test-double";

    @Override
    public MessageSignals classify(final ConversationEvent e) {
        final String t = e.getText().toLowerCase(Locale.ROOT);
        final MessageSignals.Builder b = MessageSignals.newBuilder()
                .setEventId(e.getEventId())
                .setConversationId(e.getConversationId())
                .setAccountId(e.getAccountId())
                .setTurn(e.getTurn())
                .setRole(e.getRole())
                .setEventTime(e.getTimestamp())
                .setLanguage(e.getLanguage() == null ? "en" : e.getLanguage())
                .setCountry(e.getCountry())
                .setModel(e.getModel())
                .setSurface(e.getSurface())
                .setTokenCount(t.split("\\s+").length)
                .setClassifierVersion(VERSION);
        if (e.getRole() == Role.HUMAN) {
            final boolean negative = t.contains("sad") || t.contains("anxious") || t.contains("lonely");
            final boolean positive = t.contains("thank") || t.contains("better") || t.contains("happy");
            b.setSentiment(negative ? Sentiment.NEGATIVE : positive ? Sentiment.POSITIVE : Sentiment.NEUTRAL)
                    // No score: sentiment scores are the real classifier's business, and the
                    // runtime tests only look at the flow of records.
                    .setCrisisLevel(t.contains("kill myself") || t.contains("end my life") ? CrisisLevel.ACTIVE_IDEATION
                            : CrisisLevel.NONE)
                    .setCrisisScore(0.0)
                    .setAffectiveCategory(negative ? AffectiveCategory.COUNSELING : AffectiveCategory.NONE)
                    .setAffectiveScore(negative ? 0.9 : 0.1)
                    .setSimhash(SimHash.ofText(e.getText()));
        } else {
            final boolean pushback = t.contains("can't") || t.contains("won't");
            b.setPushback(pushback)
                    .setPushbackReason(pushback ? PushbackReason.OTHER : null)
                    .setReferral(t.contains("988") ? Referral.CRISIS_LINE
                            : t.contains("therapist") ? Referral.PROFESSIONAL_HELP : Referral.NONE);
        }
        return b.build();
    }

    @Override
    public String version() {
        return VERSION;
    }
}
