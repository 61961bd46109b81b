package dev.vigil.topology;

import dev.vigil.alert.Alerts;
import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Referral;
import dev.vigil.schema.SafetyAlert;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static dev.vigil.topology.MonitoringDriver.at;
import static dev.vigil.topology.MonitoringDriver.fingerprinted;
import static dev.vigil.topology.MonitoringDriver.human;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same signals through a fresh topology twice give the same output, record for record: what
 * a replay (issue 6) and a restart of the live application rely on. Nothing may depend on wall
 * clock, random ids or hash-map order.
 */
class ReplayDeterminismTest {

    /** Three hours of mixed traffic: ordinary conversations, referred and missed disclosures, a campaign. */
    private static List<MessageSignals> scenario() {
        final Random random = new Random(11);
        final List<MessageSignals> all = new ArrayList<>();
        final AffectiveCategory[] categories = AffectiveCategory.values();
        for (int i = 0; i < 60; i++) {
            all.addAll(Traffic.conversation("conv-" + i, "acct-" + (i % 12), at(Duration.ofMinutes(i)),
                    2 + random.nextInt(8), categories[i % categories.length], 3, random));
            if (i % 15 == 0) {
                all.addAll(Traffic.disclosure("crisis-" + i, "acct-" + (i % 12), at(Duration.ofMinutes(i).plusSeconds(9)),
                        CrisisLevel.ACTIVE_IDEATION, i % 30 == 0 ? Referral.NONE : Referral.CRISIS_LINE,
                        i % 2 == 0 ? "model-a" : "model-b"));
            }
        }
        for (int i = 0; i < 12; i++) {
            all.add(fingerprinted(human("campaign-" + i, "spam-" + i, 0, at(Duration.ofMinutes(40).plusSeconds(11L * i))),
                    "join the giveaway now, send your login to the prize desk and collect " + (i * 7) + " credits")
                    .build());
        }
        all.sort((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
        return all;
    }

    private record Output(List<String> alerts, List<String> aggregates, List<String> summaries) {
    }

    private static Output run(final List<MessageSignals> input) {
        try (MonitoringDriver d = new MonitoringDriver()) {
            d.sendAll(input);
            d.advanceStreamTime(at(Duration.ofHours(8)));
            return new Output(
                    d.alertRecords().stream().map(kv -> kv.key + " " + kv.value).collect(Collectors.toList()),
                    d.aggregates().stream().map(Object::toString).collect(Collectors.toList()),
                    d.summaries().stream().map(Object::toString).collect(Collectors.toList()));
        }
    }

    @Test
    void shouldGiveIdenticalAlertsAggregatesAndSummariesWhenTheSameInputIsReplayed() {
        final List<MessageSignals> input = scenario();
        final Output first = run(input);
        final Output second = run(input);
        assertTrue(first.alerts().size() >= 3, "the scenario raises alerts: " + first.alerts().size());
        assertTrue(first.alerts().stream().anyMatch(a -> a.contains("COORDINATED_ABUSE")));
        assertTrue(first.alerts().stream().anyMatch(a -> a.contains("MISSED_REFERRAL")));
        assertTrue(first.aggregates().size() > 100);
        assertEquals(first.alerts(), second.alerts());
        assertEquals(first.aggregates(), second.aggregates());
        assertEquals(first.summaries(), second.summaries());
    }

    @Test
    void shouldDeriveAlertIdsFromDedupKeys() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            d.sendAll(scenario());
            d.advanceStreamTime(at(Duration.ofHours(8)));
            for (final SafetyAlert a : d.alerts()) {
                assertEquals(Alerts.alertId(a.getDedupKey()), a.getAlertId());
            }
        }
    }
}
