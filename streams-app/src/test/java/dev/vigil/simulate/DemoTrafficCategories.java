package dev.vigil.simulate;

import dev.vigil.classify.Classifiers;
import dev.vigil.classify.MessageClassifier;
import dev.vigil.conversation.ConversationAccumulator;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.ConversationState;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.MessageSignals;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measurement, not a test: how the shipped classifier summarises the demo's simulated
 * conversations, against the kind the simulator generated. Prints one line per kind with the
 * summaries' affective categories. Run with the JMH class path (docs/performance.md):
 * {@code java -cp ... dev.vigil.simulate.DemoTrafficCategories [minutes] [seed]}.
 */
public final class DemoTrafficCategories {
    private DemoTrafficCategories() {
    }

    public static void main(final String[] args) {
        final int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        final long seed = args.length > 1 ? Long.parseLong(args[1]) : 7;
        final Map<String, TrafficSimulator.Kind> kinds = new HashMap<>();
        final TrafficSimulator sim = new TrafficSimulator(seed, Instant.parse("2026-01-05T09:00:00Z"), 20,
                Duration.ofMinutes(minutes)).onConversation(kinds::put);
        final MessageClassifier classifier = Classifiers.standard();
        final ConversationAccumulator acc = new ConversationAccumulator();
        final Map<String, ConversationState> states = new LinkedHashMap<>();
        while (sim.hasNext()) {
            final ConversationEvent e = sim.next();
            final MessageSignals s = classifier.classify(e);
            final ConversationState state = states.computeIfAbsent(e.getConversationId(), k -> acc.start(s));
            acc.add(state, acc.inContext(state, s));
        }
        final Map<String, Map<String, Integer>> byKind = new TreeMap<>();
        states.forEach((id, state) -> {
            final ConversationSummary summary = acc.summarize(state, true);
            final String got = summary.getAffective() ? summary.getAffectiveCategory().name().toLowerCase() : "not_affective";
            byKind.computeIfAbsent(kinds.get(id).name().toLowerCase(), k -> new TreeMap<>()).merge(got, 1, Integer::sum);
        });
        System.out.printf("simulated %d min at 20 events/s, seed %d: generated kind -> summarised category%n", minutes, seed);
        byKind.forEach((kind, got) -> System.out.println("  " + kind + " " + got));
    }
}
