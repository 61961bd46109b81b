package dev.vigil.abuse;

import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.MonitoringDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * What each account threshold ({@code abuseMinAccounts}, {@code --abuse-threshold}) finds and
 * costs: on real comment spam ({@code abuse-youtube}, where campaigns are often three or four
 * accounts) the labelled spam campaigns and their messages it finds, and on the demo's simulated
 * traffic the false alerts on ordinary prompts it raises, from a fresh start and in steady state.
 *
 * <p>A measurement, not a check: it takes a few minutes and only runs when asked,
 * {@code mvn -B -o -pl streams-app -am test -Dtest=CoordinatedAbuseThresholdMeasurementTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dvigil.measure.thresholds=true} (thresholds to try:
 * {@code -Dvigil.measure.thresholdList=3,4,5}); the figures are printed as two tables.
 */
@EnabledIfSystemProperty(named = "vigil.measure.thresholds", matches = "true")
class CoordinatedAbuseThresholdMeasurementTest {
    private static final Instant T0 = MonitoringDriver.T0;
    private static final Duration DEMO_SPAN = Duration.ofHours(1);
    /** Alerts first raised before this are the fresh start's, after it steady state. */
    private static final Duration FRESH_START = Duration.ofMinutes(10);

    private static int[] thresholds() {
        return Arrays.stream(System.getProperty("vigil.measure.thresholdList", "3,4,5").split(","))
                .mapToInt(t -> Integer.parseInt(t.trim())).toArray();
    }

    @Test
    void shouldPrintWhatEachThresholdFindsOnCommentSpamAndCostsOnDemoTraffic() throws IOException {
        final List<CoordinatedAbuseYoutubeEvaluationTest.Comment> comments =
                CoordinatedAbuseYoutubeEvaluationTest.load(CoordinatedAbuseYoutubeEvaluationTest.dataDir());
        final List<String> rows = new ArrayList<>();
        rows.add("abuse-youtube (window 30d/7d): threshold | spam campaigns found (3-4 accounts) | campaign messages flagged"
                + " | account recall | account precision | alerted campaigns mostly not spam | flagged accounts with a non-spam comment");
        for (final int t : thresholds()) {
            final MonitoringConfig config = CoordinatedAbuseYoutubeEvaluationTest.slowTimescale().toBuilder()
                    .abuseMinAccounts(t).build();
            final CoordinatedAbuseYoutubeEvaluationTest.Score s = CoordinatedAbuseYoutubeEvaluationTest.evaluate(comments, config);
            rows.add(String.format(Locale.ROOT, "  %d | %d/%d (%d/%d) | %d/%d (%.2f) | %.3f | %.3f | %d of %d | %d",
                    t, s.spamGroupsFound(), s.spamGroups(), s.smallGroupsFound(), s.smallGroups(),
                    s.groupMessagesFlagged(), s.groupMessages(), (double) s.groupMessagesFlagged() / s.groupMessages(),
                    s.recall(), s.precision(), s.falseCampaigns(), s.campaigns(), s.hamAccounts()));
        }

        // Why a lower threshold finds none of the small labelled groups: how far apart their posts are.
        final Map<String, List<CoordinatedAbuseYoutubeEvaluationTest.Comment>> small = new java.util.TreeMap<>();
        for (final CoordinatedAbuseYoutubeEvaluationTest.Comment c : comments) {
            if (c.spam() && c.group() != null && c.duplicates() >= 3 && c.duplicates() <= 4) {
                small.computeIfAbsent(c.video() + "/" + c.group(), g -> new ArrayList<>()).add(c);
            }
        }
        small.forEach((g, cs) -> rows.add(String.format(Locale.ROOT, "  spam group of %d accounts (%s): posted over %d days",
                cs.stream().map(CoordinatedAbuseYoutubeEvaluationTest.Comment::account).distinct().count(), g,
                Duration.between(cs.get(0).time(), cs.get(cs.size() - 1).time()).toDays())));

        final MonitoringConfig demoConfig = AbuseStageDriver.demoSettings();
        final AbuseStageDriver.Demo demo = AbuseStageDriver.Demo.simulate(42, T0, 20, DEMO_SPAN, demoConfig);
        rows.add("demo traffic (seed 42, 20 events/s, one hour, windows 1m/30s): threshold | false alerts (incidents)"
                + " in the first " + FRESH_START.toMinutes() + " min | false alerts per hour after | campaign alerted after");
        for (final int t : thresholds()) {
            final MonitoringConfig config = demoConfig.toBuilder().abuseMinAccounts(t).build();
            final List<SafetyAlert> alerts;
            try (AbuseStageDriver d = new AbuseStageDriver(config)) {
                demo.humans().forEach(d::send);
                d.advanceStreamTime(T0.plus(DEMO_SPAN).plus(Duration.ofMinutes(10)));
                alerts = d.alerts().stream().filter(a -> a.getType() == AlertType.COORDINATED_ABUSE).toList();
            }
            // Each incident counted once, when first raised.
            final Map<String, SafetyAlert> firsts = new HashMap<>();
            alerts.forEach(a -> firsts.putIfAbsent(a.getDedupKey(), a));
            final Instant freshEnd = T0.plus(FRESH_START);
            final long freshFalse = firsts.values().stream()
                    .filter(a -> !demo.isCampaign(a) && a.getRaisedAt().isBefore(freshEnd)).count();
            final long steadyFalse = firsts.values().stream()
                    .filter(a -> !demo.isCampaign(a) && !a.getRaisedAt().isBefore(freshEnd)).count();
            final double perHour = steadyFalse * 60.0 / DEMO_SPAN.minus(FRESH_START).toMinutes();
            final String campaign = firsts.values().stream().filter(demo::isCampaign)
                    .map(a -> Duration.between(demo.campaignStart(), a.getRaisedAt()).toString()).sorted().findFirst()
                    .orElse("never");
            rows.add(String.format(Locale.ROOT, "  %d | %d | %.1f (%d in %d min) | %s", t, freshFalse, perHour, steadyFalse,
                    DEMO_SPAN.minus(FRESH_START).toMinutes(), campaign));
        }
        rows.forEach(System.out::println);
        assertFalse(rows.isEmpty());
    }
}
