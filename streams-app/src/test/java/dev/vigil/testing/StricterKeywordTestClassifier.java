package dev.vigil.testing;

import dev.vigil.classify.MessageClassifier;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.schema.Sentiment;

import java.util.Locale;

/**
 * TEST DOUBLE: a second "classifier version" for replay tests. It is {@link KeywordTestClassifier}
 * except that it also reads hopelessness ("hopeless", "disappear") as active suicidal ideation with
 * negative sentiment, so re-scoring history with it changes known messages in a known way.
 */
public final class StricterKeywordTestClassifier implements MessageClassifier {
    public static final String VERSION = "keyword-test-double-strict";
    private final KeywordTestClassifier base = new KeywordTestClassifier();

    @Override
    public MessageSignals classify(final ConversationEvent e) {
        final MessageSignals s = base.classify(e);
        s.setClassifierVersion(VERSION);
        final String t = e.getText().toLowerCase(Locale.ROOT);
        if (e.getRole() == Role.HUMAN && (t.contains("hopeless") || t.contains("disappear"))) {
            s.setCrisisLevel(CrisisLevel.ACTIVE_IDEATION);
            s.setSentiment(Sentiment.NEGATIVE);
        }
        return s;
    }

    @Override
    public String version() {
        return VERSION;
    }
}
