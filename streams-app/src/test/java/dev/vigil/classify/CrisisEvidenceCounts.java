package dev.vigil.classify;

import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measurement aid: how many human messages of each {@code events.jsonl} given get each crisis
 * evidence and level, classified in file order by a fresh classifier (as one uninterrupted run
 * would). {@code vigil classify} leaves the evidence out: its output keys are fixed by the issue.
 * Run with the JMH class path (README): {@code java -cp ... dev.vigil.classify.CrisisEvidenceCounts FILE...}
 */
final class CrisisEvidenceCounts {
    private CrisisEvidenceCounts() {
    }

    public static void main(final String[] args) throws Exception {
        for (final String file : args) {
            final MessageClassifier classifier = Classifiers.standard();
            final Map<String, Integer> counts = new TreeMap<>();
            int human = 0;
            for (final String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                final MessageSignals s = classifier.classify(EventJson.parse(line));
                if (s.getRole() == Role.HUMAN) {
                    human++;
                    counts.merge(s.getCrisisEvidence() + " " + s.getCrisisLevel(), 1, Integer::sum);
                }
            }
            System.out.println(file + ": " + human + " human messages");
            counts.forEach((k, v) -> System.out.println("  " + k.toLowerCase(java.util.Locale.ROOT) + " " + v));
        }
    }
}
