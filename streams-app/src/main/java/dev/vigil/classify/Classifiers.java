package dev.vigil.classify;

/** Where the application gets its classifier. */
public final class Classifiers {
    /** Conversations whose language is remembered; an entry is a few dozen bytes. */
    static final int LANGUAGE_CACHE = 100_000;

    private Classifiers() {
    }

    private static final class Shipped {
        static final StandardClassifier INSTANCE = new StandardClassifier(Cues.standard(), SentimentLexicon.load(),
                LinearModels.load(), new ConversationLanguage(LANGUAGE_CACHE));
    }

    /** The shipped classifier, loaded once from the models and lexicons on the class path. */
    public static MessageClassifier standard() {
        return Shipped.INSTANCE;
    }

    /** A classifier over other trained weights (training, cross-validation); no language detection. */
    static StandardClassifier withModels(final LinearModels models) {
        return new StandardClassifier(Cues.standard(), SentimentLexicon.load(), models, null);
    }
}
