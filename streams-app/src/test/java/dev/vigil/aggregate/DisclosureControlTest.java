package dev.vigil.aggregate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DisclosureControlTest {
    private static final int CAP = 1_000;

    /** A cell of {@code accounts} distinct accounts, one human message each, {@code pushback} replies by reason. */
    private static CellAccumulator cell(final int accounts, final long firstAccount, final Map<String, Long> pushback) {
        final CellAccumulator acc = new CellAccumulator();
        for (int i = 0; i < accounts; i++) {
            final Contribution c = new Contribution();
            c.kind = Contribution.Kind.MESSAGE;
            c.human = true;
            c.accountHash = firstAccount + i;
            c.conversationHash = firstAccount + i;
            acc.add(c, CAP);
        }
        pushback.forEach((reason, n) -> {
            for (int i = 0; i < n; i++) {
                final Contribution c = new Contribution();
                c.kind = Contribution.Kind.MESSAGE;
                c.accountHash = firstAccount;
                c.conversationHash = firstAccount;
                c.pushback = true;
                c.pushbackReason = reason;
                acc.add(c, CAP);
            }
        });
        return acc;
    }

    private static Map<String, DisclosureControl.Decision> byCell(final List<DisclosureControl.Decision> decisions) {
        final Map<String, DisclosureControl.Decision> out = new LinkedHashMap<>();
        decisions.forEach(d -> out.put(d.cell(), d));
        return out;
    }

    @Test
    void shouldFoldTheSmallestValuesOfAFloodedDimensionTheSameWayInAnyOrder() {
        final Map<String, CellAccumulator> cells = new LinkedHashMap<>();
        cells.put("all=all", cell(5_000, 0, Map.of()));
        final List<String> models = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            models.add("model=m" + i);
        }
        Collections.shuffle(models, new Random(7));
        for (int i = 0; i < models.size(); i++) {
            // m0..m499 with 10 + (index % 40) accounts: many ties, broken by name.
            final int n = Integer.parseInt(models.get(i).substring(7));
            cells.put(models.get(i), cell(10 + n % 40, 100_000L * (n + 1), Map.of()));
        }
        final List<DisclosureControl.Decision> first = DisclosureControl.decide(cells, 10, 50, CAP);
        final Map<String, CellAccumulator> reversed = new LinkedHashMap<>();
        final List<String> names = new ArrayList<>(cells.keySet());
        Collections.reverse(names);
        names.forEach(c -> reversed.put(c, cells.get(c)));
        final List<DisclosureControl.Decision> second = DisclosureControl.decide(reversed, 10, 50, CAP);
        assertEquals(first.stream().map(DisclosureControl.Decision::cell).toList(),
                second.stream().map(DisclosureControl.Decision::cell).toList(), "decided by the counts, not the order");
        final List<String> modelCells = first.stream().map(DisclosureControl.Decision::cell)
                .filter(c -> c.startsWith("model=")).toList();
        assertEquals(50, modelCells.size(), "49 largest values and (other)");
        assertTrue(modelCells.contains("model=(other)"));
        final Map<String, DisclosureControl.Decision> d = byCell(first);
        // The 49 kept are the ones with 49 accounts (n % 40 == 39: 12 of them), then 48, ...
        assertTrue(d.containsKey("model=m39"), "a largest value is kept");
        assertFalse(d.containsKey("model=m0"), "a smallest value is folded");
        long kept = 0;
        for (final String c : modelCells) {
            kept += d.get(c).counts() == null ? 0 : d.get(c).counts().messages;
        }
        long all = 0;
        for (final String m : models) {
            all += cells.get(m).messages;
        }
        assertEquals(all, kept, "folding loses no message");
    }

    @Test
    void shouldSuppressTheSmallestPublishedCellBesideOneBelowK() {
        final Map<String, CellAccumulator> cells = new TreeMap<>();
        cells.put("all=all", cell(40, 0, Map.of()));
        cells.put("model=a", cell(25, 0, Map.of()));
        cells.put("model=b", cell(12, 100, Map.of()));
        cells.put("model=c", cell(3, 200, Map.of()));
        final Map<String, DisclosureControl.Decision> d = byCell(DisclosureControl.decide(cells, 10, 50, CAP));
        assertTrue(d.get("model=c").suppressed());
        assertTrue(d.get("model=b").suppressed(), "all minus a minus b would be c");
        assertFalse(d.get("model=a").suppressed());
        assertFalse(d.get("all=all").suppressed());
    }

    @Test
    void shouldNotNameASuppressedReasonInsideAPublishedCell() {
        final Map<String, CellAccumulator> cells = new TreeMap<>();
        cells.put("all=all", cell(30, 0, Map.of("harmful_request", 2L, "other", 15L, "factual_correction", 12L)));
        cells.put("pushback_reason=harmful_request", cell(2, 0, Map.of()));
        cells.put("pushback_reason=other", cell(15, 100, Map.of()));
        cells.put("pushback_reason=factual_correction", cell(12, 200, Map.of()));
        final Map<String, DisclosureControl.Decision> d = byCell(DisclosureControl.decide(cells, 10, 50, CAP));
        assertTrue(d.get("pushback_reason=harmful_request").suppressed());
        assertTrue(d.get("pushback_reason=factual_correction").suppressed(), "its complement");
        final Map<String, Long> reasons = d.get("all=all").counts().pushbackByReason;
        assertEquals(Map.of("other", 15L, DisclosureControl.SUPPRESSED, 14L), reasons,
                "the two suppressed reasons only as their sum, which covers at least k accounts");
        assertNull(d.get("pushback_reason=harmful_request").counts());
    }

    @Test
    void shouldWithholdPushbackFiguresWhenNoReasonCellIsPublishedAndTheyCoverFewerThanKAccounts() {
        final Map<String, CellAccumulator> cells = new TreeMap<>();
        cells.put("all=all", cell(30, 0, Map.of("other", 2L)));
        cells.put("pushback_reason=other", cell(1, 0, Map.of()));
        final Map<String, DisclosureControl.Decision> d = byCell(DisclosureControl.decide(cells, 10, 50, CAP));
        assertTrue(d.get("pushback_reason=other").suppressed());
        // The all cell's pushback count would be the suppressed reason cell's count.
        assertTrue(d.get("all=all").counts().pushbackWithheld);
        final dev.vigil.schema.WindowAggregate a = AggregateStage.publish(new org.apache.kafka.streams.kstream.Windowed<>(
                "all=all", new org.apache.kafka.streams.kstream.internals.TimeWindow(0, 300_000)), d.get("all=all").counts(),
                new dev.vigil.config.MonitoringConfig.WindowSpec(java.time.Duration.ofMinutes(5), java.time.Duration.ofMinutes(5)),
                10, false);
        assertNull(a.getPushbackCount());
        assertNull(a.getPushbackRate());
        assertNull(a.getPushbackByReason());
        assertEquals(32L, a.getMessages(), "the rest of the cell is published");
    }
}
