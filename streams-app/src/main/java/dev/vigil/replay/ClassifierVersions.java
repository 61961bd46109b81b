package dev.vigil.replay;

import dev.vigil.classify.Classifiers;
import dev.vigil.classify.MessageClassifier;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds the classifier a replay re-scores history with. Without a version it is the shipped
 * one ({@link Classifiers#standard()}); with one, it is the classifier whose {@code version()}
 * matches, among the shipped one and any {@link MessageClassifier} registered on the class path
 * as a service ({@code META-INF/services/dev.vigil.classify.MessageClassifier}), so a candidate
 * model can be put on the class path and compared with the current one.
 */
public final class ClassifierVersions {
    private ClassifierVersions() {
    }

    public static MessageClassifier resolve(final String version) {
        if (version == null || version.isBlank()) {
            return Classifiers.standard();
        }
        final List<String> seen = new ArrayList<>();
        for (final MessageClassifier c : ServiceLoader.load(MessageClassifier.class)) {
            if (version.equals(c.version())) {
                return c;
            }
            seen.add(c.version());
        }
        try {
            final MessageClassifier standard = Classifiers.standard();
            if (version.equals(standard.version())) {
                return standard;
            }
            seen.add(standard.version());
        } catch (final RuntimeException e) {
            // No shipped classifier on this build: only the registered ones can match.
        }
        throw new IllegalArgumentException("no classifier of version " + version + " on the class path (found: "
                + (seen.isEmpty() ? "none" : String.join(", ", seen)) + ")");
    }
}
