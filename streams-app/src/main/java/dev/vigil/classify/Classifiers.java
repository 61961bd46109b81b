package dev.vigil.classify;

/** Where the application gets its classifier. */
public final class Classifiers {
    private Classifiers() {
    }

    /** The shipped classifier, loaded from the models and lexicons on the class path. */
    public static MessageClassifier standard() {
        // Implemented by the classification work.
        throw new UnsupportedOperationException("classifier not implemented yet");
    }
}
