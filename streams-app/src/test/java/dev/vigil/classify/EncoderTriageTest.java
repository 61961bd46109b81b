package dev.vigil.classify;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * What the encoder budget's reserve buys when more messages escalate than the cap allows: real
 * everyday text (GoEmotions and DailyDialog from the shared data) with crisis messages mixed in (the
 * referral-rung disclosures and self-harm requests of the unread splits {@code held_out_13} to
 * {@code _16}), graded as the stream grades them, once first come, first served (the default) and
 * once with the measured reserve, {@link EncoderBudget#MEASURED_RESERVE}.
 *
 * <p>The traffic is scaled down with the cap so the test runs in seconds: 10 encoder calls a
 * second of event time over three partitions, and 250 or 500 messages a second, the same overload
 * as the default 40 calls a second at 1,000 and 2,000 (everyday text escalates about 12%: 3 and 6
 * times the cap). Two in a hundred messages are crisis messages. Skipped (reported as skipped)
 * where the shared data is not beside the repository.
 */
class EncoderTriageTest {
    private static final Path EVAL = Path.of("src/test/resources/dev/vigil/classify/eval-sample");
    private static final Set<String> UNREAD = Set.of("held_out_13", "held_out_14", "held_out_15", "held_out_16");
    private static final double CALLS_PER_SECOND = 10;
    private static final int PARTITIONS = 3;
    private static final int SECONDS = Integer.getInteger("vigil.triage.seconds", 120);
    private static final double CRISIS_SHARE = Double.parseDouble(System.getProperty("vigil.triage.crisis", "0.02"));

    /** Share of crisis messages graded at the referral rung, and of everyday messages given any crisis level. */
    record Outcome(int crisis, double referralRecall, int everyday, double everydayFlagged, long encoded) {
    }

    @Test
    void shouldSpendAnOverloadedEncoderOnTheLikeliestCrisesFirst() throws IOException {
        final Path shared = Path.of(System.getProperty("vigil.shared.data", "../../shared/data"));
        assumeTrue(Files.isDirectory(shared.resolve("polarity-goemotions")),
                "shared data not found (system property vigil.shared.data)");
        final List<String> everyday = new ArrayList<>();
        everyday.addAll(humanTexts(shared.resolve("polarity-goemotions"), 6000));
        everyday.addAll(humanTexts(shared.resolve("polarity-dailydialog"), 4000));
        final List<String> crisis = new ArrayList<>();
        crisis.addAll(labelled(EVAL.resolve("crisis-disclosures"),
                l -> l.path("at_risk").asBoolean() && !"passive_ideation".equals(l.path("level").asText())));
        crisis.addAll(labelled(EVAL.resolve("selfharm-requests-held-out"), l -> l.path("self_harm").asBoolean()));
        assertTrue(crisis.size() >= 600 && everyday.size() >= 9000, crisis.size() + " / " + everyday.size());

        final int[] rates = {250, 500};
        final Outcome[][] outcomes = new Outcome[rates.length][];
        for (int r = 0; r < rates.length; r++) {
            outcomes[r] = new Outcome[] {run(everyday, crisis, rates[r], 0),
                    run(everyday, crisis, rates[r], EncoderBudget.MEASURED_RESERVE)};
            for (int k = 0; k < 2; k++) {
                final Outcome o = outcomes[r][k];
                System.out.printf(Locale.ROOT, "encoder triage: %d messages/s, %s: crisis at the referral rung %.3f"
                                + " (%d), everyday given a crisis level %.4f (%d), encoder calls %d%n", rates[r],
                        k == 0 ? "first come, first served" : "reserve " + EncoderBudget.MEASURED_RESERVE,
                        o.referralRecall(), o.crisis(), o.everydayFlagged(), o.everyday(), o.encoded());
            }
        }
        for (int r = 0; r < rates.length; r++) {
            final Outcome fifo = outcomes[r][0];
            final Outcome triage = outcomes[r][1];
            // Same stream, same number of calls: the reserve only chooses which messages get them.
            // It clears more of the fast tier's false flags. Referral-rung recall moves by less
            // than a point either way, within the noise of 619 and 1,219 crisis messages (about
            // three points), so only a loss beyond two points fails.
            assertTrue(triage.everydayFlagged() < fifo.everydayFlagged(),
                    rates[r] + "/s: everyday flagged " + triage.everydayFlagged() + " >= " + fifo.everydayFlagged());
            assertTrue(triage.referralRecall() >= fifo.referralRecall() - 0.02,
                    rates[r] + "/s: crisis recall " + triage.referralRecall() + " < " + fifo.referralRecall());
        }
    }

    private static Outcome run(final List<String> everyday, final List<String> crisis, final int rate,
                               final double reserve) {
        final EncoderBudget budget = new EncoderBudget(CALLS_PER_SECOND, 2 * CALLS_PER_SECOND, PARTITIONS, reserve);
        final MessageClassifier classifier = Classifiers.forStream(budget);
        final Random random = new Random(7);
        final List<String> e = new ArrayList<>(everyday);
        final List<String> c = new ArrayList<>(crisis);
        Collections.shuffle(e, random);
        Collections.shuffle(c, random);
        final long start = Instant.parse("2026-01-05T09:00:00Z").toEpochMilli();
        int crisisSeen = 0;
        int referral = 0;
        int everydaySeen = 0;
        int flagged = 0;
        for (int i = 0; i < rate * SECONDS; i++) {
            final boolean isCrisis = random.nextDouble() < CRISIS_SHARE;
            final String text = isCrisis ? c.get(crisisSeen % c.size()) : e.get(everydaySeen % e.size());
            final MessageSignals s = classifier.classify(event(i, text, start + i * 1000L / rate), i % PARTITIONS);
            if (isCrisis) {
                crisisSeen++;
                referral += s.getCrisisLevel().ordinal() >= CrisisLevel.ACTIVE_IDEATION.ordinal() ? 1 : 0;
            } else {
                everydaySeen++;
                flagged += s.getCrisisLevel() != CrisisLevel.NONE ? 1 : 0;
            }
        }
        return new Outcome(crisisSeen, referral / (double) crisisSeen, everydaySeen, flagged / (double) everydaySeen,
                budget.granted());
    }

    private static ConversationEvent event(final int n, final String text, final long atMs) {
        return ConversationEvent.newBuilder()
                .setEventId("triage-" + n + ":0")
                .setConversationId("triage-" + n)
                .setAccountId("triage-account")
                .setTurn(0)
                .setRole(Role.HUMAN)
                .setText(text)
                .setTimestamp(Instant.ofEpochMilli(atMs))
                .setLanguage("en")
                .build();
    }

    /** Texts of the first {@code limit} human messages of a labelled folder, read as {@code vigil eval} reads it. */
    private static List<String> humanTexts(final Path dir, final int limit) throws IOException {
        return LabelledData.read(dir).events.stream()
                .filter(e -> e.getRole() == Role.HUMAN && !e.getText().isBlank())
                .limit(limit).map(ConversationEvent::getText).toList();
    }

    /** Texts of the unread splits' messages of a labelled folder whose label {@code keep} accepts. */
    private static List<String> labelled(final Path dir, final Predicate<JsonNode> keep) throws IOException {
        final LabelledData data = LabelledData.read(dir);
        return data.events.stream()
                .filter(e -> {
                    final JsonNode label = data.byEvent.get(e.getEventId());
                    return label != null && UNREAD.contains(label.path("split").asText()) && keep.test(label);
                })
                .map(ConversationEvent::getText).toList();
    }
}
