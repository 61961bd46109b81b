package dev.vigil.topology;

import dev.vigil.schema.WindowAggregate;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.vigil.topology.MonitoringDriver.T0;
import static dev.vigil.topology.MonitoringDriver.assistant;
import static dev.vigil.topology.MonitoringDriver.at;
import static dev.vigil.topology.MonitoringDriver.human;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AggregatesTest {
    /** Fields a suppressed cell may still carry: where and what it is, never how much. */
    private static final Set<String> IDENTITY = Set.of("window_start", "window_end", "window_size", "dimension",
            "value", "suppressed", "k", "classifier_version");

    private static void oneExchangePerAccount(final MonitoringDriver d, final int accounts, final Instant start) {
        for (int i = 0; i < accounts; i++) {
            final String conversation = "conv-" + i;
            d.send(human(conversation, "acct-" + i, 0, start.plusSeconds(i)).setSentimentScore(0.5).build());
            d.send(assistant(conversation, "acct-" + i, 1, start.plusSeconds(i + 10)).setPushback(i % 3 == 0)
                    .build());
        }
    }

    private static WindowAggregate cell(final List<WindowAggregate> all, final String size, final String dimension,
                                        final String value, final Instant start) {
        final List<WindowAggregate> found = all.stream()
                .filter(a -> a.getWindowSize().equals(size) && a.getDimension().equals(dimension)
                        && a.getValue().equals(value) && a.getWindowStart().equals(start))
                .toList();
        assertEquals(1, found.size(), "one record per cell and window: " + dimension + "=" + value);
        return found.get(0);
    }

    @Test
    void shouldRevealNothingAboutACellOfKMinusOneAccounts() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            oneExchangePerAccount(d, 9, at(Duration.ofSeconds(5)));
            d.advanceStreamTime(at(Duration.ofHours(3)));
            final List<WindowAggregate> aggregates = d.aggregates();
            final List<WindowAggregate> ours = aggregates.stream()
                    .filter(a -> a.getWindowStart().isBefore(at(Duration.ofHours(1)))).toList();
            assertFalse(ours.isEmpty());
            for (final WindowAggregate a : ours) {
                assertTrue(a.getSuppressed(), a.getDimension() + "=" + a.getValue());
                assertEquals(10, a.getK());
                for (final Schema.Field f : WindowAggregate.getClassSchema().getFields()) {
                    if (!IDENTITY.contains(f.name())) {
                        assertNull(a.get(f.pos()), f.name() + " of a suppressed cell must be null");
                    }
                }
            }
        }
    }

    @Test
    void shouldNotLetASmallCellBeRecoveredBySubtractingThePublishedOnes() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            // 12 accounts talk to model-a and 3 to model-b in one window: all=all has 15.
            final Instant start = at(Duration.ofSeconds(5));
            for (int i = 0; i < 15; i++) {
                final String model = i < 12 ? "model-a" : "model-b";
                d.send(human("conv-" + i, "acct-" + i, 0, start.plusSeconds(i)).setModel(model)
                        .setSentimentScore(i < 12 ? 0.5 : -0.9).build());
            }
            d.advanceStreamTime(at(Duration.ofHours(3)));
            final List<WindowAggregate> all = d.aggregates();
            final WindowAggregate whole = cell(all, "PT5M", "all", "all", T0);
            assertFalse(whole.getSuppressed());
            assertEquals(15L, whole.getDistinctAccounts());
            assertTrue(cell(all, "PT5M", "model", "model-b", T0).getSuppressed(), "3 accounts: below k");
            // Were model-a published, all=all minus model-a would be model-b's counts (3 accounts,
            // their sentiment). The smallest published cell of the dimension is suppressed too.
            final WindowAggregate a = cell(all, "PT5M", "model", "model-a", T0);
            assertTrue(a.getSuppressed(), "model-a published would give model-b away by subtraction");
            assertNull(a.getDistinctAccounts());
            // Dimensions with nothing below k are untouched.
            assertFalse(cell(all, "PT5M", "language", "en", T0).getSuppressed());
        }
    }

    @Test
    void shouldPublishCountsOfACellOfKAccountsOncePerWindow() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            oneExchangePerAccount(d, 10, at(Duration.ofSeconds(5)));
            d.advanceStreamTime(at(Duration.ofHours(3)));
            final List<WindowAggregate> all = d.aggregates();
            final WindowAggregate a = cell(all, "PT5M", "all", "all", T0);
            assertFalse(a.getSuppressed());
            assertEquals(10L, a.getDistinctAccounts());
            assertEquals(10L, a.getConversations());
            assertEquals(20L, a.getMessages());
            assertEquals(10L, a.getAssistantMessages());
            // The 4 replies that pushed back came from 4 accounts, fewer than k: every pushback_reason
            // cell is suppressed, and the all cell's pushback count would be their sum.
            assertNull(a.getPushbackCount());
            assertNull(a.getPushbackRate());
            assertNull(a.getPushbackByReason());
            assertEquals(0.5, a.getSentimentMean(), 1e-9);
            assertEquals(10L, a.getSentimentCount());
            assertEquals(0L, a.getCrisisDisclosures());
            final WindowAggregate model = cell(all, "PT5M", "model", "model-a", T0);
            assertEquals(10L, model.getDistinctAccounts());
            final WindowAggregate hour = cell(all, "PT1H", "language", "en", T0);
            assertEquals(20L, hour.getMessages());
            // pushback_reason cells hold only the 4 replies that pushed back: 4 accounts, so suppressed
            assertTrue(cell(all, "PT5M", "pushback_reason", "other", T0).getSuppressed());
            final long keys = all.stream().map(x -> x.getWindowSize() + x.getDimension() + x.getValue()
                    + x.getWindowStart()).collect(Collectors.toSet()).size();
            assertEquals(all.size(), keys, "no cell is published twice for the same window");
        }
    }

    @Test
    void shouldPublishAnHourAsTheSumOfItsPublishedFiveMinuteCellsAndNothingElse() {
        // Conversations end (and count as ended) only after the hour, so each window holds just its messages.
        try (MonitoringDriver d = new MonitoringDriver(dev.vigil.config.MonitoringConfig.defaults().toBuilder()
                .inactivityGap(Duration.ofHours(2)).build())) {
            // 10:00-10:05 and 10:20-10:25: 10 accounts each (published); 10:40-10:45: 4 (suppressed).
            oneExchangePerAccount(d, 10, at(Duration.ofSeconds(5)));
            for (int i = 0; i < 10; i++) {
                d.send(human("b-" + i, "acct-b" + i, 0, at(Duration.ofMinutes(20).plusSeconds(i))).build());
            }
            for (int i = 0; i < 4; i++) {
                d.send(human("c-" + i, "acct-c" + i, 0, at(Duration.ofMinutes(40).plusSeconds(i)))
                        .setLanguage("fr").build());
            }
            d.advanceStreamTime(at(Duration.ofHours(3)));
            final List<WindowAggregate> all = d.aggregates();
            assertTrue(cell(all, "PT5M", "all", "all", T0.plus(Duration.ofMinutes(40))).getSuppressed());
            final WindowAggregate hour = cell(all, "PT1H", "all", "all", T0);
            assertFalse(hour.getSuppressed());
            // 20 + 10 messages of the published windows; the 4 of the suppressed one are not in it,
            // or the hour minus the published 5-minute cells would count them.
            assertEquals(30L, hour.getMessages());
            assertEquals(20L, hour.getDistinctAccounts());
            assertEquals(30L, cell(all, "PT1H", "language", "en", T0).getMessages());
            assertTrue(cell(all, "PT1H", "language", "fr", T0).getSuppressed(),
                    "a value none of whose 5-minute cells was published is suppressed in the hour too");
            // Published windows tile the hour: none overlaps another of its size.
            final List<Instant> starts = all.stream().filter(a -> a.getWindowSize().equals("PT5M")
                    && a.getDimension().equals("all")).map(WindowAggregate::getWindowStart).toList();
            assertEquals(List.of(T0, T0.plus(Duration.ofMinutes(20)), T0.plus(Duration.ofMinutes(40))), starts);
        }
    }

    @Test
    void shouldPublishNoMoreCellsOfADimensionInAnHourThanTheCapAllows() {
        try (MonitoringDriver d = new MonitoringDriver(dev.vigil.config.MonitoringConfig.defaults().toBuilder()
                .maxDimensionValues(3).build())) {
            // Two new models in each of six 5-minute windows, one account each: every model cell is
            // suppressed where it is counted, and the hour has 12 models none of which was published.
            for (int w = 0; w < 6; w++) {
                for (int m = 0; m < 2; m++) {
                    final String id = "w" + w + "-m" + m;
                    d.send(human(id, "acct-" + id, 0, at(Duration.ofMinutes(5L * w).plusSeconds(m))).setModel("model-" + id)
                            .build());
                }
            }
            d.advanceStreamTime(at(Duration.ofHours(3)));
            final List<WindowAggregate> hourModels = d.aggregates().stream().filter(a -> a.getWindowSize().equals("PT1H")
                    && a.getDimension().equals("model") && a.getWindowStart().equals(T0)).toList();
            assertFalse(hourModels.isEmpty());
            assertTrue(hourModels.size() <= 3, "at most --max-dimension-values cells: " + hourModels.size());
            assertTrue(hourModels.stream().allMatch(WindowAggregate::getSuppressed));
        }
    }

    @Test
    void shouldCountARecordArrivingOutOfOrderWithinGrace() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            oneExchangePerAccount(d, 9, at(Duration.ofSeconds(5)));
            d.advanceStreamTime(at(Duration.ofMinutes(6)));
            // 2 minutes late for the window [T0, T0+5m), whose grace is 2 minutes: still counted.
            d.send(human("conv-late", "acct-late", 0, at(Duration.ofMinutes(4))).build());
            // 5 minutes late: past the grace of that window, so it does not change it.
            d.advanceStreamTime(at(Duration.ofMinutes(9)));
            d.send(human("conv-too-late", "acct-too-late", 0, at(Duration.ofMinutes(4))).build());
            d.advanceStreamTime(at(Duration.ofHours(3)));
            final WindowAggregate a = cell(d.aggregates(), "PT5M", "all", "all", T0);
            assertFalse(a.getSuppressed(), "the late tenth account lifts the cell to k");
            assertEquals(10L, a.getDistinctAccounts());
            assertEquals(19L, a.getMessages());
        }
    }
}
