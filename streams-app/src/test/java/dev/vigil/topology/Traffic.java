package dev.vigil.topology;

import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.PushbackReason;
import dev.vigil.schema.Referral;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.vigil.topology.MonitoringDriver.assistant;
import static dev.vigil.topology.MonitoringDriver.fingerprinted;
import static dev.vigil.topology.MonitoringDriver.human;

/** Generated test traffic: ordinary conversations with fingerprints of distinct texts, seeded. */
public final class Traffic {
    private static final String[] WORDS = {"garden", "invoice", "python", "recipe", "holiday", "budget", "train",
        "lecture", "sweater", "guitar", "mortgage", "spreadsheet", "poem", "bicycle", "kitchen", "exam", "novel",
        "printer", "marathon", "coffee", "meeting", "weather", "violin", "planet", "museum", "tennis", "camera",
        "router", "history", "chemistry", "painting", "tax", "dentist", "bakery", "laptop", "river", "castle"};

    private Traffic() {
    }

    /** A sentence nobody else writes: for fingerprints of unrelated messages. */
    public static String distinctText(final Random random) {
        final StringBuilder b = new StringBuilder("could you help me with");
        for (int i = 0; i < 10; i++) {
            b.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    /**
     * One ordinary conversation: {@code exchanges} human/assistant pairs a minute apart, steady
     * sentiment drifting slightly up, a pushback every {@code pushbackEvery}-th reply (0: none).
     */
    public static List<MessageSignals> conversation(final String id, final String account, final Instant start,
                                                    final int exchanges, final AffectiveCategory category,
                                                    final int pushbackEvery, final Random random) {
        final List<MessageSignals> out = new ArrayList<>();
        for (int i = 0; i < exchanges; i++) {
            final Instant t = start.plus(Duration.ofMinutes(i));
            final double sentiment = Math.min(1.0, -0.1 + 0.05 * i + 0.1 * random.nextGaussian());
            out.add(fingerprinted(human(id, account, 2 * i, t), distinctText(random))
                    .setAffectiveCategory(category)
                    .setAffectiveScore(category == AffectiveCategory.NONE ? 0.05 : 0.9)
                    .setSentimentScore(Math.max(-1.0, sentiment))
                    .build());
            final MessageSignals.Builder reply = assistant(id, account, 2 * i + 1, t.plusSeconds(20));
            if (pushbackEvery > 0 && (i + 1) % pushbackEvery == 0) {
                MonitoringDriver.pushback(reply, PushbackReason.NEGATIVE_SELF_TALK);
            }
            out.add(reply.build());
        }
        return out;
    }

    /** A human crisis disclosure followed by an assistant reply carrying {@code referral}. */
    public static List<MessageSignals> disclosure(final String id, final String account, final Instant at,
                                                  final CrisisLevel level, final Referral referral,
                                                  final String model) {
        return List.of(
                human(id, account, 0, at).setModel(model).setCrisisLevel(level).setCrisisScore(0.9)
                        .setSentimentScore(-1.0).build(),
                assistant(id, account, 1, at.plusSeconds(15)).setModel(model).setReferral(referral).build());
    }
}
