package dev.vigil.classify;

/** Where the application gets its classifier. */
public final class Classifiers {
    /** Conversations whose language is remembered; an entry is a few dozen bytes. */
    static final int LANGUAGE_CACHE = 100_000;

    private Classifiers() {
    }

    private static final class Shipped {
        static final SemanticCrisis SEMANTIC = SemanticCrisis.load().warmUp();
        static final StandardClassifier INSTANCE = new StandardClassifier(Cues.standard(), SentimentLexicon.load(),
                LinearModels.load(), new ConversationLanguage(LANGUAGE_CACHE), SEMANTIC, EncoderBudget.UNLIMITED);
    }

    /**
     * The shipped classifier, loaded once from the models and lexicons on the class path, with no
     * cap on sentence-encoder calls: what {@code vigil classify} and {@code vigil eval} measure.
     */
    public static MessageClassifier standard() {
        return Shipped.INSTANCE;
    }

    /**
     * The shipped classifier as the stream runs it: at most {@code budget}'s encoder calls, the
     * rest graded by the fast tier alone (see {@link SemanticCrisis}).
     */
    public static MessageClassifier forStream(final EncoderBudget budget) {
        return Shipped.INSTANCE.withBudget(budget);
    }

    /**
     * The shipped classifier without its semantic crisis tier (curated phrases only): the work a
     * message cost before the tier, the benchmark's reference. Not for grading.
     */
    public static MessageClassifier withoutSemanticTier() {
        return new StandardClassifier(Cues.standard(), SentimentLexicon.load(), LinearModels.load(),
                new ConversationLanguage(LANGUAGE_CACHE), null, EncoderBudget.UNLIMITED);
    }

    /** The semantic crisis tier of the shipped classifier (its encoder's CPU time, for metrics). */
    public static SemanticCrisis semantic() {
        return Shipped.SEMANTIC;
    }

    /** A classifier over other trained weights (training, cross-validation); no language detection. */
    static StandardClassifier withModels(final LinearModels models) {
        return new StandardClassifier(Cues.standard(), SentimentLexicon.load(), models, null, Shipped.SEMANTIC,
                EncoderBudget.UNLIMITED);
    }

    /** The shipped classifier with another semantic crisis tier (training and measuring it). */
    public static MessageClassifier withSemantic(final SemanticCrisis semantic) {
        return new StandardClassifier(Cues.standard(), SentimentLexicon.load(), LinearModels.load(), null, semantic,
                EncoderBudget.UNLIMITED);
    }
}
