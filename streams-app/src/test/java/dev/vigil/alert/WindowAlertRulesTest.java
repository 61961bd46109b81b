package dev.vigil.alert;

import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.Referral;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.MonitoringDriver;
import dev.vigil.topology.Traffic;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static dev.vigil.topology.MonitoringDriver.at;
import static dev.vigil.topology.MonitoringDriver.human;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowAlertRulesTest {
    /** Alerts judged on 10-minute tumbling windows, so a few hours of traffic make a baseline. */
    private static MonitoringConfig.Builder tenMinuteWindows() {
        return MonitoringConfig.builder()
                .aggregateWindows(List.of(new MonitoringConfig.WindowSpec(Duration.ofMinutes(5), Duration.ofMinutes(1)),
                        new MonitoringConfig.WindowSpec(Duration.ofMinutes(10), Duration.ofMinutes(10))))
                .alertWindow(1)
                .baselineWindows(3)
                .windowAlertCounts(true);
    }

    private static List<SafetyAlert> ofType(final List<SafetyAlert> alerts, final AlertType type) {
        return alerts.stream().filter(a -> a.getType() == type).toList();
    }

    /** {@code n} passive-ideation disclosures (below the referral level: no referral alerts) in window {@code w}. */
    private static void passiveDisclosures(final MonitoringDriver d, final int window, final int n) {
        for (int i = 0; i < n; i++) {
            final Instant t = at(Duration.ofMinutes(10L * window).plusSeconds(20L * i + 1));
            d.sendAll(Traffic.disclosure("w" + window + "-c" + i, "acct-" + window + "-" + i, t,
                    CrisisLevel.PASSIVE_IDEATION, Referral.NONE, "model-a"));
        }
    }

    @Test
    void shouldRaiseOneCrisisSurgeWhenDisclosuresJumpFarAboveBaseline() {
        try (MonitoringDriver d = new MonitoringDriver(tenMinuteWindows().build())) {
            for (int w = 0; w < 6; w++) {
                passiveDisclosures(d, w, 2);
            }
            passiveDisclosures(d, 6, 15);
            passiveDisclosures(d, 7, 14); // the surge goes on: same episode, no second alert
            passiveDisclosures(d, 8, 2);
            d.advanceStreamTime(at(Duration.ofHours(3)));
            final List<SafetyAlert> surges = ofType(d.alerts(), AlertType.CRISIS_SURGE);
            assertEquals(1, surges.size(), surges.toString());
            final SafetyAlert s = surges.get(0);
            assertEquals("all", s.getSubject());
            assertEquals(at(Duration.ofMinutes(60)), s.getWindowStart());
            assertEquals("15", s.getEvidence().get("crisis_disclosures"));
            assertEquals("2.000", s.getEvidence().get("baseline_ewma"));
            assertTrue(s.getRunbookUrl().endsWith("/crisis-surge.md"));
        }
    }

    @Test
    void shouldWithholdTheJudgedWindowsCountsUnlessTheDeploymentOptsIn() {
        try (MonitoringDriver d = new MonitoringDriver(tenMinuteWindows().windowAlertCounts(false).build())) {
            for (int w = 0; w < 6; w++) {
                passiveDisclosures(d, w, 2);
            }
            passiveDisclosures(d, 6, 15);
            d.advanceStreamTime(at(Duration.ofHours(3)));
            final List<SafetyAlert> surges = ofType(d.alerts(), AlertType.CRISIS_SURGE);
            assertEquals(1, surges.size(), "the surge is still raised: " + surges);
            final SafetyAlert s = surges.get(0);
            assertEquals(at(Duration.ofMinutes(60)), s.getWindowStart());
            // The hopping alert windows overlap the published grid: a count here minus published
            // cells could isolate a suppressed one. Only the rule, the cell and the window remain.
            assertEquals(java.util.Map.of("dimension", "all", "value", "all", "window_size", "PT10M",
                    "counts", "withheld"), s.getEvidence());
            assertTrue(s.getSummary().chars().noneMatch(Character::isDigit), s.getSummary());
        }
    }

    @Test
    void shouldNotCallASurgeBeforeTheBaselineHasEnoughHistory() {
        try (MonitoringDriver d = new MonitoringDriver(tenMinuteWindows().build())) {
            passiveDisclosures(d, 0, 2);
            passiveDisclosures(d, 1, 15);
            d.advanceStreamTime(at(Duration.ofHours(3)));
            assertTrue(ofType(d.alerts(), AlertType.CRISIS_SURGE).isEmpty());
        }
    }

    @Test
    void shouldRaiseReferralRateDropForTheModelThatStoppedReferring() {
        try (MonitoringDriver d = new MonitoringDriver(tenMinuteWindows().build())) {
            for (int i = 0; i < 6; i++) {
                final Instant t = at(Duration.ofSeconds(30L * i + 1));
                d.sendAll(Traffic.disclosure("a-" + i, "acct-a-" + i, t, CrisisLevel.ACTIVE_IDEATION,
                        Referral.CRISIS_LINE, "model-a"));
                d.sendAll(Traffic.disclosure("b-" + i, "acct-b-" + i, t, CrisisLevel.ACTIVE_IDEATION,
                        i == 0 ? Referral.CRISIS_LINE : Referral.NONE, "model-b"));
            }
            d.advanceStreamTime(at(Duration.ofHours(2)));
            final List<SafetyAlert> alerts = d.alerts();
            final List<SafetyAlert> drops = ofType(alerts, AlertType.REFERRAL_RATE_DROP);
            assertEquals(1, drops.size(), drops.toString());
            assertEquals("model-b", drops.get(0).getSubject());
            assertEquals("model", drops.get(0).getSubjectKind());
            assertEquals(Severity.CRITICAL, drops.get(0).getSeverity());
            assertEquals("0.167", drops.get(0).getEvidence().get("referral_rate"));
            assertEquals(5, ofType(alerts, AlertType.MISSED_REFERRAL).size(), "and each missed one on its own");
        }
    }

    @Test
    void shouldRaisePushbackAnomalyWhenCounselingRepliesStopPushingBack() {
        final MonitoringConfig config = tenMinuteWindows().pushbackMinReplies(20).build();
        try (MonitoringDriver d = new MonitoringDriver(config)) {
            final Random random = new Random(7);
            for (int w = 0; w < 7; w++) {
                // Baseline: one reply in four pushes back (challenging negative self-talk); then none.
                final int every = w < 5 ? 4 : 0;
                for (int c = 0; c < 6; c++) {
                    d.sendAll(Traffic.conversation("w" + w + "-c" + c, "acct-" + c,
                            at(Duration.ofMinutes(10L * w).plusSeconds(c)), 5, AffectiveCategory.COUNSELING, every,
                            random));
                }
            }
            d.advanceStreamTime(at(Duration.ofHours(4)));
            final List<SafetyAlert> anomalies = ofType(d.alerts(), AlertType.PUSHBACK_ANOMALY);
            assertEquals(1, anomalies.size(), anomalies.toString());
            final SafetyAlert a = anomalies.get(0);
            assertEquals("counseling", a.getSubject());
            assertEquals("below_baseline", a.getEvidence().get("direction"));
            assertEquals(at(Duration.ofMinutes(50)), a.getWindowStart());
        }
    }

    @Test
    void shouldRaiseSentimentDeclineWhenCounselingConversationsEndWorse() {
        final MonitoringConfig config = tenMinuteWindows().sentimentMinConversations(3).build();
        try (MonitoringDriver d = new MonitoringDriver(config)) {
            for (int c = 0; c < 4; c++) {
                for (int i = 0; i < 6; i++) {
                    d.send(human("sad-" + c, "acct-" + c, 2 * i, at(Duration.ofMinutes(i).plusSeconds(c)))
                            .setAffectiveCategory(AffectiveCategory.COUNSELING).setAffectiveScore(0.9)
                            .setSentimentScore(i < 3 ? 0.0 : -0.5).build());
                }
            }
            d.advanceStreamTime(at(Duration.ofHours(3)));
            d.advanceStreamTime(at(Duration.ofHours(4)));
            final List<SafetyAlert> declines = ofType(d.alerts(), AlertType.SENTIMENT_DECLINE);
            assertEquals(1, declines.size(), declines.toString());
            assertEquals("counseling", declines.get(0).getSubject());
            assertEquals("-0.500", declines.get(0).getEvidence().get("sentiment_shift_mean"));
        }
    }

    @Test
    void shouldRaiseNoAlertAtAllOnNormalTraffic() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            final Random random = new Random(42);
            final AffectiveCategory[] categories = {AffectiveCategory.NONE, AffectiveCategory.NONE,
                AffectiveCategory.NONE, AffectiveCategory.COACHING, AffectiveCategory.COUNSELING,
                AffectiveCategory.INTERPERSONAL_ADVICE};
            int n = 0;
            for (int minute = 0; minute < 4 * 60; minute += 3) {
                final AffectiveCategory category = categories[n % categories.length];
                d.sendAll(Traffic.conversation("conv-" + n, "acct-" + (n % 40), at(Duration.ofMinutes(minute)),
                        3 + random.nextInt(6), category, category == AffectiveCategory.NONE ? 0 : 7, random));
                if (n % 10 == 0) {
                    d.sendAll(Traffic.disclosure("crisis-" + n, "acct-" + (n % 40),
                            at(Duration.ofMinutes(minute).plusSeconds(30)), CrisisLevel.ACTIVE_IDEATION,
                            Referral.CRISIS_LINE, "model-a"));
                }
                n++;
            }
            d.advanceStreamTime(at(Duration.ofHours(7)));
            assertEquals(List.of(), d.alerts());
            // One conversation every 3 minutes never reaches k accounts in a 5-minute window, so every
            // published cell is suppressed; the rules still judged the counts.
            assertTrue(d.aggregates().stream().anyMatch(a -> a.getDimension().equals("all")), "the traffic was counted");
        }
    }
}
