package dev.vigil.abuse;

import dev.vigil.schema.AlertType;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.MonitoringDriver;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static dev.vigil.topology.MonitoringDriver.at;
import static dev.vigil.topology.MonitoringDriver.fingerprinted;
import static dev.vigil.topology.MonitoringDriver.human;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady popularity is background, a burst is coordination: prompts that many unrelated accounts
 * send every hour do not alert once their baseline is known, while a campaign on top of them does.
 */
class CoordinatedAbuseBackgroundTest {
    /** Prompts ordinary users really do send, each from many unrelated accounts. */
    private static final List<String> COMMON = List.of(
            "What's the difference between a list and a tuple in Python?",
            "Thanks, can you make it a bit shorter?",
            "Can you explain this error message to me please",
            "Write a polite email asking my manager for a day off",
            "Summarize this article in three bullet points",
            "How do I center a div with flexbox in CSS");
    private static final Duration HOURS = Duration.ofHours(10);

    /** Every five minutes each common prompt from two accounts of a large pool: about 24 accounts an hour. */
    private static List<MessageSignals> steadyTraffic(final Random random) {
        final List<MessageSignals> out = new ArrayList<>();
        int n = 0;
        for (long minute = 0; minute < HOURS.toMinutes(); minute += 5) {
            for (final String text : COMMON) {
                for (int k = 0; k < 2; k++) {
                    final Instant t = at(Duration.ofMinutes(minute).plusSeconds(random.nextInt(300)));
                    out.add(fingerprinted(human("common-" + n, "user-" + random.nextInt(3_000), 0, t), text).build());
                    n++;
                }
            }
        }
        return out;
    }

    /** Sends in event-time order, as a producer would. */
    private static void sendInOrder(final MonitoringDriver d, final List<MessageSignals> messages) {
        final List<MessageSignals> sorted = new ArrayList<>(messages);
        sorted.sort(Comparator.comparing(MessageSignals::getEventTime));
        d.sendAll(sorted);
    }

    private static List<SafetyAlert> abuse(final MonitoringDriver d) {
        return d.alerts().stream().filter(a -> a.getType() == AlertType.COORDINATED_ABUSE).toList();
    }

    @Test
    void shouldTreatSteadyCommonPromptsAsBackgroundFromAFreshStart() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            sendInOrder(d, steadyTraffic(new Random(11)));
            d.advanceStreamTime(at(HOURS.plusHours(4)));
            final List<SafetyAlert> alerts = abuse(d);
            // A window is judged against earlier windows that do not overlap it; in the first
            // two hours there are none yet, so the warm-up holds the popular prompts instead of
            // alerting, and lets them go once their level after it is as high (before the
            // warm-up, every one of them alerted in the first two hours).
            assertEquals(List.of(), alerts);
        }
    }

    @Test
    void shouldAlertOnceForACampaignBurstOnTopOfSteadyCommonPrompts() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            final List<MessageSignals> traffic = steadyTraffic(new Random(12));
            final Instant start = at(Duration.ofHours(6).plusMinutes(7));
            for (int i = 0; i < 30; i++) {
                traffic.add(fingerprinted(human("camp-" + i, "spam-acct-" + i, 0, start.plusSeconds(20L * i)),
                        CoordinatedAbuseTest.variation(i)).build());
            }
            sendInOrder(d, traffic);
            d.advanceStreamTime(at(HOURS.plusHours(4)));
            final List<SafetyAlert> all = abuse(d);
            // The alerts sent for windows that had a full earlier window to compare with.
            final List<SafetyAlert> late = all.stream()
                    .filter(a -> !a.getRaisedAt().isBefore(at(Duration.ofHours(2)))).toList();
            assertEquals(1, late.size(), late.toString());
            // Alerted when the first window that holds most of the burst closes (24 of the 30 accounts).
            assertTrue(Integer.parseInt(late.get(0).getEvidence().get("accounts")) >= 20, late.toString());
        }
    }

    /** One text from two accounts an hour for ten hours, and from {@code peak} accounts in hour six. */
    private static List<MessageSignals> rareTextWithPeak(final int peak, final Random random) {
        final List<MessageSignals> out = new ArrayList<>();
        for (int hour = 0; hour < 10; hour++) {
            final int accounts = hour == 6 ? peak : 2;
            for (int k = 0; k < accounts; k++) {
                final Instant t = at(Duration.ofHours(hour).plusSeconds(random.nextInt(3_600)));
                out.add(fingerprinted(human("rare-" + hour + "-" + k, "user-" + random.nextInt(3_000), 0, t),
                        COMMON.get(3)).build());
            }
        }
        return out;
    }

    private static long alertsAfterWarmUp(final MonitoringConfig config, final List<MessageSignals> traffic) {
        try (MonitoringDriver d = new MonitoringDriver(config)) {
            sendInOrder(d, traffic);
            d.advanceStreamTime(at(HOURS.plusHours(4)));
            return abuse(d).stream().filter(a -> !a.getRaisedAt().isBefore(at(Duration.ofHours(2)))).count();
        }
    }

    @Test
    void shouldNotCallAChanceRiseOfARarelySentTextACampaign() {
        // Usually two accounts an hour; eight in one hour is more than three times that, but a
        // Poisson count with mean 2 gets there now and then: with many texts, such rises would
        // page every day. (Measured with this seed: 7 and 8 alert without the test, 9 with it.)
        final List<MessageSignals> chance = rareTextWithPeak(8, new Random(5));
        assertEquals(0, alertsAfterWarmUp(MonitoringConfig.defaults(), chance));
        assertTrue(alertsAfterWarmUp(MonitoringConfig.builder().abuseSignificance(1.0).build(), chance) > 0,
                "without the significance test the same rise alerts (the ratio test alone passes it)");
        // A real burst of the same text still alerts.
        assertEquals(1, alertsAfterWarmUp(MonitoringConfig.defaults(), rareTextWithPeak(20, new Random(5))));
    }
}
