package dev.vigil.classify;

import dev.vigil.conversation.ConversationAccumulator;
import dev.vigil.ingest.JsonEvents;
import dev.vigil.schema.ConversationState;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measurement aid: how many human messages of each {@code events.jsonl} given get each crisis
 * evidence and level, classified in file order and read in their conversation (its crisis context,
 * as the conversation stage reads them). {@code vigil classify} leaves the evidence out: its output
 * keys are fixed by the issue.
 * Run with the JMH class path (docs/performance.md): {@code java -cp ... dev.vigil.classify.CrisisEvidenceCounts FILE...}
 */
final class CrisisEvidenceCounts {
    private CrisisEvidenceCounts() {
    }

    public static void main(final String[] args) throws Exception {
        for (final String file : args) {
            final MessageClassifier classifier = Classifiers.standard();
            final ConversationAccumulator conversations = new ConversationAccumulator();
            final Map<String, ConversationState> states = new HashMap<>();
            final Map<String, Integer> counts = new TreeMap<>();
            int human = 0;
            for (final String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                final MessageSignals classified = classifier.classify(JsonEvents.parse(line).event());
                final ConversationState state = states.computeIfAbsent(classified.getConversationId(),
                        k -> conversations.start(classified));
                final MessageSignals s = conversations.inContext(state, classified);
                conversations.add(state, s);
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
