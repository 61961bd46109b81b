package dev.vigil.abuse;

import dev.vigil.privacy.Pseudonyms;
import dev.vigil.alert.Alerts;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.MonitoringDriver;
import dev.vigil.topology.Traffic;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static dev.vigil.topology.MonitoringDriver.at;
import static dev.vigil.topology.MonitoringDriver.fingerprinted;
import static dev.vigil.topology.MonitoringDriver.human;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoordinatedAbuseTest {
    private static final String TEMPLATE = "Limited offer: get unlimited premium answers for 9 dollars a month,"
            + " message our reseller desk today and mention code ALPHA22 for the discount";

    /** How campaigns dodge exact matching: case, punctuation, spacing, emoji, codes, stretched letters. */
    static String variation(final int i) {
        return switch (i % 6) {
            case 0 -> TEMPLATE;
            case 1 -> TEMPLATE.toUpperCase(java.util.Locale.ROOT) + "!!!";
            case 2 -> TEMPLATE.replace(",", " ,  ").replace("9 dollars", "7 dollars") + " 🔥🔥";
            case 3 -> TEMPLATE.replace("ALPHA22", "BETA" + (100 + i)).replace("today", "todaaaay");
            case 4 -> "  " + TEMPLATE.toLowerCase(java.util.Locale.ROOT).replace(":", " -") + " ...";
            default -> TEMPLATE.replace("premium", "prémium").replace("a month", "a month!");
        };
    }

    private static void campaign(final MonitoringDriver d, final int accounts, final Instant start) {
        for (int i = 0; i < accounts; i++) {
            d.send(fingerprinted(human("camp-" + i, "spam-acct-" + i, 0, start.plusSeconds(20L * i)),
                    variation(i)).build());
        }
    }

    private static void ordinaryTraffic(final MonitoringDriver d, final int messages, final Random random) {
        for (int i = 0; i < messages; i++) {
            d.send(fingerprinted(human("plain-" + i, "acct-" + i, 0, at(Duration.ofSeconds(30L * i + 7))),
                    Traffic.distinctText(random)).build());
        }
    }

    private static List<SafetyAlert> abuse(final List<SafetyAlert> alerts) {
        return alerts.stream().filter(a -> a.getType() == AlertType.COORDINATED_ABUSE).toList();
    }

    @Test
    void shouldCountEveryAccountOfACampaignTooLargeForOneCandidateRecord() {
        // 1,200 accounts in one window: the candidate reaches the merger in chunks of 500 members
        // and the merger keeps one entry per member (one value of them all passed Kafka's 1 MiB limit).
        final int accounts = 2 * CoordinatedAbuseStage.CANDIDATE_CHUNK + 200;
        try (MonitoringDriver d = new MonitoringDriver()) {
            ordinaryTraffic(d, 40, new Random(5));
            final Instant start = at(Duration.ofMinutes(1));
            for (int i = 0; i < accounts; i++) {
                d.send(fingerprinted(human("big-" + i, "spam-acct-" + i, 0, start.plusMillis(500L * i)),
                        variation(i)).build());
            }
            d.advanceStreamTime(at(Duration.ofHours(4)));
            final List<SafetyAlert> alerts = abuse(d.alerts());
            assertEquals(1, alerts.stream().map(SafetyAlert::getDedupKey).distinct().count(), alerts.toString());
            assertEquals(String.valueOf(accounts), alerts.get(alerts.size() - 1).getEvidence().get("accounts"));
        }
    }

    @Test
    void shouldCountTheSightingsAFullBucketHadNoRoomFor() {
        // A flood of one text's variants from many accounts against a small bucket cap: what the
        // bucket cannot keep is counted, so an operator can see evidence was dropped.
        final int cap = 20;
        final int accounts = 50;
        try (MonitoringDriver d = new MonitoringDriver(dev.vigil.config.MonitoringConfig.builder()
                .abuseBucketCap(cap).build())) {
            campaign(d, accounts, at(Duration.ofMinutes(1)));
            d.advanceStreamTime(at(Duration.ofHours(4)));
            final var dropped = d.metrics().registry().find(dev.vigil.metrics.SafetyMetrics.ABUSE_DROPPED)
                    .tag("what", "bucket_overflow").counter();
            assertTrue(dropped != null && dropped.count() > 0, "bucket overflow counted");
        }
    }

    @Test
    void shouldAlertOnceForThirtyAccountsPostingVariationsOfOneText() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            ordinaryTraffic(d, 40, new Random(3));
            campaign(d, 30, at(Duration.ofMinutes(1)));
            d.advanceStreamTime(at(Duration.ofHours(4)));
            final List<SafetyAlert> alerts = abuse(d.alerts());
            assertEquals(1, alerts.size(), alerts.toString());
            final SafetyAlert a = alerts.get(0);
            assertEquals("cluster", a.getSubjectKind());
            assertEquals("30", a.getEvidence().get("accounts"));
            assertEquals("30", a.getEvidence().get("messages"));
            assertEquals(at(Duration.ofMinutes(1)).toString(), a.getEvidence().get("first_seen"));
            assertEquals(at(Duration.ofMinutes(1)).plusSeconds(20L * 29).toString(), a.getEvidence().get("last_seen"));
            final String[] sample = a.getEvidence().get("account_sample").split(",");
            assertEquals(10, sample.length);
            final Pseudonyms pseudonyms = new Pseudonyms(MonitoringConfig.defaults().pseudonymKey());
            final java.util.Set<String> campaignAccounts = new java.util.HashSet<>();
            for (int i = 0; i < 30; i++) {
                campaignAccounts.add(pseudonyms.pseudonym("spam-acct-" + i));
            }
            assertTrue(campaignAccounts.containsAll(List.of(sample)), "the sample names campaign accounts, pseudonymously");
            assertFalse(a.toString().contains("spam-acct"), "no raw account id anywhere in the alert");
            assertFalse(a.toString().toLowerCase(java.util.Locale.ROOT).contains("reseller"), "no text");
            assertEquals(Alerts.alertId(a.getDedupKey()), a.getAlertId());
            assertTrue(a.getRunbookUrl().endsWith("/coordinated-abuse.md"));
            assertEquals("test-1", a.getClassifierVersion(), "the alert says which classifier fingerprinted the texts");
        }
    }

    @Test
    void shouldStayQuietForFewerAccountsThanTheThresholdAndForUnrelatedTexts() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            ordinaryTraffic(d, 200, new Random(5));
            campaign(d, 4, at(Duration.ofMinutes(3)));
            d.advanceStreamTime(at(Duration.ofHours(4)));
            assertEquals(List.of(), abuse(d.alerts()));
        }
    }

    @Test
    void shouldCountAccountsNotMessages() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            // One account posting the template forty times is spam, but not coordination.
            for (int i = 0; i < 40; i++) {
                d.send(fingerprinted(human("flood-" + i, "one-account", 0, at(Duration.ofSeconds(10L * i))),
                        variation(i)).build());
            }
            d.advanceStreamTime(at(Duration.ofHours(4)));
            assertEquals(List.of(), abuse(d.alerts()));
        }
    }

    @Test
    void shouldAlertAgainForTheSameTextOnlyAfterTheCampaignWentQuiet() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            campaign(d, 10, at(Duration.ofMinutes(1)));
            campaign(d, 10, at(Duration.ofMinutes(90))); // same accounts an hour later: the same campaign
            d.advanceStreamTime(at(Duration.ofHours(3)));
            campaign(d, 10, at(Duration.ofHours(12))); // quiet for longer than the campaign TTL: a new one
            d.advanceStreamTime(at(Duration.ofHours(16)));
            final List<SafetyAlert> alerts = abuse(d.alerts());
            assertEquals(2, alerts.stream().map(SafetyAlert::getDedupKey).distinct().count(), alerts.toString());
        }
    }

    @Test
    void shouldPutNearDuplicatesWithinThreeBitsInACommonBand() {
        for (int i = 1; i < 6; i++) {
            final long a = SimHash.ofText(variation(0));
            final long b = SimHash.ofText(variation(i));
            assertTrue(SimHash.hammingDistance(a, b) <= 3, "variation " + i + ": " + SimHash.hammingDistance(a, b));
            final List<String> shared = new java.util.ArrayList<>(CoordinatedAbuseStage.buckets(a));
            shared.retainAll(CoordinatedAbuseStage.buckets(b));
            assertFalse(shared.isEmpty());
        }
        assertTrue(SimHash.hammingDistance(SimHash.ofText(variation(0)),
                SimHash.ofText(Traffic.distinctText(new Random(1)))) > 10);
    }
}
