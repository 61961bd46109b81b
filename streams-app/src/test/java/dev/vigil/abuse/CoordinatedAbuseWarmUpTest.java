package dev.vigil.abuse;

import dev.vigil.privacy.Pseudonyms;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.MonitoringDriver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.vigil.topology.MonitoringDriver.fingerprinted;
import static dev.vigil.topology.MonitoringDriver.human;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fresh start: no text has a baseline yet, so the popular ordinary prompts of the first
 * windows must not page as campaigns, while a campaign that starts in the first window is still
 * found; and a restart with its state intact needs no warm-up at all.
 */
class CoordinatedAbuseWarmUpTest {
    private static final Instant T0 = MonitoringDriver.T0;
    /** The demo's traffic from a fresh start, long enough for the warm-up and what follows it. */
    private static final Duration SPAN = Duration.ofMinutes(8);
    /**
     * The first windows after a fresh start: the two window lengths of warm-up (windows starting
     * before T0 + 2 min, the first of them before T0) and the first window judged after it.
     * Before the warm-up existed, seed 42 paged 18 ordinary prompts in the first two windows alone.
     */
    private static final Instant FIRST_WINDOWS_END = T0.plus(Duration.ofMinutes(3));

    private static AbuseStageDriver.Demo demo;
    private static List<SafetyAlert> freshStart;

    @BeforeAll
    static void runTheDemoFromAFreshStart() {
        final MonitoringConfig config = AbuseStageDriver.demoSettings();
        demo = AbuseStageDriver.Demo.simulate(42, T0, 20, SPAN, config);
        try (AbuseStageDriver d = new AbuseStageDriver(config)) {
            demo.humans().forEach(d::send);
            d.advanceStreamTime(T0.plus(SPAN).plus(Duration.ofMinutes(10)));
            freshStart = abuse(d.alerts());
        }
    }

    private static List<SafetyAlert> abuse(final List<SafetyAlert> alerts) {
        return alerts.stream().filter(a -> a.getType() == AlertType.COORDINATED_ABUSE).toList();
    }

    @Test
    void shouldNotPageOnOrdinaryPromptsInTheFirstWindowsOfAFreshStart() {
        final List<SafetyAlert> early = freshStart.stream()
                .filter(a -> !a.getRaisedAt().isAfter(FIRST_WINDOWS_END)).toList();
        final List<SafetyAlert> ordinary = early.stream().filter(a -> !demo.isCampaign(a)).toList();
        System.out.printf("warm-up: alerts raised by %s: %d, on ordinary prompts: %d%n",
                Duration.between(T0, FIRST_WINDOWS_END), early.size(), ordinary.size());
        assertEquals(List.of(), ordinary, "ordinary prompts with no history paged in the first windows");
    }

    @Test
    void shouldStillAlertOnACampaignThatStartsInTheFirstWindow() {
        final List<SafetyAlert> campaign = freshStart.stream().filter(demo::isCampaign).toList();
        assertFalse(campaign.isEmpty(), "the planted campaign is found: " + freshStart);
        assertEquals(1, campaign.stream().map(SafetyAlert::getDedupKey).distinct().count(), campaign.toString());
        // It starts in the first window (15 s in) and runs two minutes, through the warm-up.
        assertTrue(demo.campaignStart().isBefore(T0.plus(AbuseStageDriver.demoSettings().abuseAdvance())),
                demo.campaignStart().toString());
        final SafetyAlert first = campaign.get(0);
        final Duration delay = Duration.between(demo.campaignStart(), first.getRaisedAt());
        System.out.printf("warm-up: campaign started %s after start, alerted %s after it began with %s accounts%n",
                Duration.between(T0, demo.campaignStart()), delay, first.getEvidence().get("accounts"));
        // Held through the warm-up, it is alerted when the first window after its held ones
        // closes (it ended at 2 m 11 s): 3 m 15 s after it began, where it took 45 s before there
        // was a warm-up (and 40 alerts on ordinary prompts came with it in the first 3 minutes).
        assertTrue(delay.compareTo(Duration.ofMinutes(4)) <= 0, "detection delay " + delay);
        assertTrue(Integer.parseInt(first.getEvidence().get("accounts")) >= AbuseStageDriver.demoSettings().abuseMinAccounts(),
                first.toString());
    }

    /** Four common prompts, each from {@code perMinute} accounts of a large pool every minute, from {@code from} to {@code to}. */
    private static List<MessageSignals> commonPrompts(final Instant from, final Instant to, final int perMinute,
                                                      final Random random) {
        final List<String> texts = List.of(
                "Thanks, can you make it a bit shorter?",
                "What's the difference between a list and a tuple in Python?",
                "Summarize this article in three bullet points",
                "Write a polite email asking my manager for a day off");
        final List<MessageSignals> out = new ArrayList<>();
        int n = 0;
        for (Instant minute = from; minute.isBefore(to); minute = minute.plus(Duration.ofMinutes(1))) {
            for (final String text : texts) {
                for (int k = 0; k < perMinute; k++) {
                    final Instant t = minute.plusMillis(random.nextInt(60_000));
                    out.add(fingerprinted(human("common-" + minute.getEpochSecond() + "-" + n++,
                            "user-" + random.nextInt(5_000), 0, t), text).build());
                }
            }
        }
        return out;
    }

    /** {@code accounts} accounts posting variations of one text, {@code gap} apart, from {@code start}. */
    private static List<MessageSignals> campaign(final Instant start, final int accounts, final Duration gap) {
        final List<MessageSignals> out = new ArrayList<>();
        for (int i = 0; i < accounts; i++) {
            out.add(fingerprinted(human("camp-" + i, "spam-acct-" + i, 0, start.plus(gap.multipliedBy(i))),
                    CoordinatedAbuseTest.variation(i)).build());
        }
        return out;
    }

    private static void sendInOrder(final AbuseStageDriver d, final List<MessageSignals> messages, final Instant before) {
        messages.stream().filter(m -> m.getEventTime().isBefore(before))
                .sorted(java.util.Comparator.comparing(MessageSignals::getEventTime)).forEach(d::send);
    }

    /** The first alert naming the accounts of {@link #campaign}, or null. */
    private static SafetyAlert campaignAlert(final MonitoringConfig config, final List<SafetyAlert> alerts) {
        final Pseudonyms pseudonyms = new Pseudonyms(config.pseudonymKey());
        return abuse(alerts).stream()
                .filter(a -> List.of(a.getEvidence().get("account_sample").split(",")).stream()
                        .anyMatch(p -> java.util.stream.IntStream.range(0, 100)
                                .anyMatch(i -> pseudonyms.pseudonym("spam-acct-" + i).equals(p))))
                .findFirst().orElse(null);
    }

    @Test
    void shouldNeedNoWarmUpAfterARestartWithItsState(@TempDir final Path dir) {
        final MonitoringConfig config = AbuseStageDriver.demoSettings();
        final Instant restartAt = T0.plus(Duration.ofMinutes(5));
        final Instant campaignStart = restartAt.plusSeconds(10);
        final Instant end = T0.plus(Duration.ofMinutes(9));
        final List<MessageSignals> common = commonPrompts(T0, end, 8, new Random(7));
        final List<MessageSignals> after = new ArrayList<>(common.stream()
                .filter(m -> !m.getEventTime().isBefore(restartAt)).toList());
        after.addAll(campaign(campaignStart, 15, Duration.ofSeconds(3)));

        final SafetyAlert restarted;
        try (AbuseStageDriver d = new AbuseStageDriver(config, dir.resolve("state"))) {
            sendInOrder(d, common, restartAt);
            assertEquals(List.of(), abuse(d.alerts()), "steady common prompts are not campaigns");
            d.restart();
            sendInOrder(d, after, end);
            d.advanceStreamTime(end.plus(Duration.ofMinutes(10)));
            restarted = campaignAlert(config, d.alerts());
        }
        // The same traffic from the restart on, into a task with no state: a fresh start.
        final SafetyAlert fresh;
        try (AbuseStageDriver d = new AbuseStageDriver(config)) {
            sendInOrder(d, after, end);
            d.advanceStreamTime(end.plus(Duration.ofMinutes(10)));
            fresh = campaignAlert(config, d.alerts());
        }
        assertNotNull(restarted, "the campaign right after the restart is alerted");
        final Duration delay = Duration.between(campaignStart, restarted.getRaisedAt());
        System.out.printf("warm-up: after a restart with state the campaign is alerted %s after it began"
                        + " (from a fresh start: %s)%n", delay,
                fresh == null ? "not at all" : Duration.between(campaignStart, fresh.getRaisedAt()));
        // As in steady state: when the first window holding five of its accounts closes
        // ([4:30, 5:30) holds seven), not after a warm-up.
        assertEquals(T0.plus(Duration.ofMinutes(5).plusSeconds(30)), restarted.getRaisedAt(), restarted.toString());
        assertTrue(fresh == null || fresh.getRaisedAt().isAfter(restarted.getRaisedAt()),
                "without its state the stage would have warmed up first: " + fresh);
    }

    @Test
    void shouldDecideTheWarmUpTheSameWayOnAReplay() {
        final MonitoringConfig config = AbuseStageDriver.demoSettings();
        final List<MessageSignals> traffic = new ArrayList<>(commonPrompts(T0, T0.plus(Duration.ofMinutes(6)), 6,
                new Random(3)));
        traffic.addAll(campaign(T0.plusSeconds(20), 20, Duration.ofSeconds(4)));
        final List<List<SafetyAlert>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (AbuseStageDriver d = new AbuseStageDriver(config)) {
                sendInOrder(d, traffic, T0.plus(Duration.ofHours(1)));
                d.advanceStreamTime(T0.plus(Duration.ofMinutes(20)));
                runs.add(abuse(d.alerts()));
            }
        }
        assertEquals(1, runs.get(0).size(), "the campaign, and nothing else: " + runs.get(0));
        assertEquals(runs.get(0), runs.get(1), "a replay of the same input gives the same alerts");
    }
}
