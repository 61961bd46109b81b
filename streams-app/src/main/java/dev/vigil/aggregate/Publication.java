package dev.vigil.aggregate;

import dev.vigil.config.MonitoringConfig;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.stream.Metered;
import dev.vigil.stream.SortableKeys;
import dev.vigil.stream.SourceProgress;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Publishes the aggregates of every window size on one grid, so that no combination of
 * published figures recovers a suppressed one (see {@code docs/security.md}, "Aggregates").
 *
 * <ul>
 *   <li>The smallest size is published on its own tumbling grid (windows start at multiples of
 *   their size): published windows of one size never overlap, so no difference of two of them
 *   isolates a minute. Each window's cells are decided together by {@link DisclosureControl}.</li>
 *   <li>Every larger size is the sum of the smallest-size cells published inside it, never of
 *   its own raw counts: a suppressed cell adds nothing to any larger one, so subtracting the
 *   published small cells from a large one yields nothing hidden. A larger cell none of whose
 *   parts was published is published as suppressed.</li>
 * </ul>
 *
 * Input is keyed by the start of the largest window a cell lies in, so one task sees every cell
 * a larger window sums. Cells wait here until every cell task has passed their window's end plus
 * grace ({@link SourceProgress}); a replay publishes the same records in the same order.
 */
final class Publication implements Processor<String, FinalCell, String, WindowAggregate> {
    private final MonitoringConfig config;
    private final SafetyMetrics metrics;
    private final String heldStore;
    private final String rollUpStore;
    private final SourceProgress progress;
    private final long graceMs;
    private final MonitoringConfig.WindowSpec finest;
    /** The larger sizes, smallest first. */
    private final List<MonitoringConfig.WindowSpec> larger;
    private ProcessorContext<String, WindowAggregate> context;
    private KeyValueStore<String, FinalCell> held;
    private KeyValueStore<String, FinalCell> rollUps;
    /**
     * No held cell ends before this (in memory; 0 whenever the task starts). Scans start here:
     * RocksDB skips the deletions of published cells one by one until compaction.
     */
    private long heldFloor;
    private final Map<String, Long> rollUpFloors = new TreeMap<>();

    Publication(final MonitoringConfig config, final SafetyMetrics metrics, final String heldStore,
                final String rollUpStore, final String progressStore) {
        this.config = config;
        this.metrics = metrics;
        this.heldStore = heldStore;
        this.rollUpStore = rollUpStore;
        this.progress = new SourceProgress(progressStore);
        this.graceMs = config.grace().toMillis();
        this.finest = config.finestWindowSpec();
        this.larger = config.aggregateWindows().stream().filter(w -> !w.equals(finest))
                .sorted(Comparator.comparing(MonitoringConfig.WindowSpec::size)).toList();
    }

    /** Key of a smallest-size cell on its way here: the start of the largest window ({@code largestMs} long) it lies in. */
    static String routingKey(final long largestMs, final long windowStart) {
        return SortableKeys.time(alignedStart(windowStart, largestMs));
    }

    /** Start of the window of {@code sizeMs} on the epoch-aligned grid that holds {@code time}. */
    private static long alignedStart(final long time, final long sizeMs) {
        return Math.floorDiv(time, sizeMs) * sizeMs;
    }

    @Override
    public void init(final ProcessorContext<String, WindowAggregate> context) {
        this.context = context;
        this.held = context.getStateStore(heldStore);
        this.rollUps = context.getStateStore(rollUpStore);
        this.heldFloor = 0;
        this.rollUpFloors.clear();
        progress.init(context);
    }

    @Override
    public void process(final Record<String, FinalCell> record) {
        final FinalCell f = record.value();
        if (f == null) {
            return;
        }
        final boolean moved = progress.observe(f);
        if (!f.progressOnly) {
            held.put(key(f.windowEnd, f.windowStart, f.cell), f);
            heldFloor = Math.min(heldFloor, f.windowEnd);
        }
        final long watermark = progress.watermark();
        if (!moved || watermark == SourceProgress.NONE) {
            return;
        }
        // A cell task announces watermark w once it has sent every window ending by w - grace.
        final long through = watermark - graceMs;
        if (heldFloor <= through) {
            publishSmallest(through);
        }
        for (final MonitoringConfig.WindowSpec spec : larger) {
            publishRolledUp(spec, through);
        }
    }

    /** Decides and publishes every held window ending by {@code through}; adds what it published to the larger windows. */
    private void publishSmallest(final long through) {
        final Map<Long, Map<String, CellAccumulator>> windows = new TreeMap<>();
        final List<String> done = new ArrayList<>();
        try (KeyValueIterator<String, FinalCell> it = held.range(pad(heldFloor), pad(through) + "|\uffff")) {
            while (it.hasNext()) {
                final KeyValue<String, FinalCell> e = it.next();
                done.add(e.key);
                windows.computeIfAbsent(e.value.windowEnd, w -> new TreeMap<>()).put(e.value.cell, e.value.counts);
            }
        }
        done.forEach(held::delete);
        heldFloor = Math.max(heldFloor, through + 1);
        for (final Map.Entry<Long, Map<String, CellAccumulator>> w : windows.entrySet()) {
            final long end = w.getKey();
            final long start = end - finest.size().toMillis();
            for (final DisclosureControl.Decision d : DisclosureControl.decide(w.getValue(), config.k(),
                    config.maxDimensionValues(), config.exactAccountCap())) {
                forward(finest, start, end, d.cell(), d.counts());
                for (final MonitoringConfig.WindowSpec spec : larger) {
                    rollUp(spec, start, d);
                }
            }
        }
    }

    private void rollUp(final MonitoringConfig.WindowSpec spec, final long smallStart, final DisclosureControl.Decision d) {
        final long size = spec.size().toMillis();
        final long start = alignedStart(smallStart, size);
        final String key = spec.label() + "|" + key(start + size, start, d.cell());
        FinalCell sum = rollUps.get(key);
        if (sum == null) {
            sum = new FinalCell();
            sum.windowStart = start;
            sum.windowEnd = start + size;
            sum.cell = d.cell();
        }
        if (!d.suppressed()) {
            sum.counts = sum.counts == null ? new CellAccumulator().merge(d.counts(), config.exactAccountCap())
                    : sum.counts.merge(d.counts(), config.exactAccountCap());
        }
        rollUps.put(key, sum);
        rollUpFloors.merge(spec.label(), start + size, Math::min);
    }

    /** Publishes the larger windows of {@code spec} ending by {@code through}: sums of published parts only. */
    private void publishRolledUp(final MonitoringConfig.WindowSpec spec, final long through) {
        final long floor = rollUpFloors.getOrDefault(spec.label(), 0L);
        if (floor > through) {
            return;
        }
        final String prefix = spec.label() + "|";
        // By window end: the summed cells, and the cells none of whose parts was published.
        final Map<Long, Map<String, CellAccumulator>> summed = new TreeMap<>();
        final Map<Long, List<String>> unpublished = new TreeMap<>();
        final List<String> done = new ArrayList<>();
        try (KeyValueIterator<String, FinalCell> it = rollUps.range(prefix + pad(floor), prefix + pad(through) + "|\uffff")) {
            while (it.hasNext()) {
                final KeyValue<String, FinalCell> e = it.next();
                done.add(e.key);
                summed.computeIfAbsent(e.value.windowEnd, w -> new TreeMap<>());
                if (e.value.counts == null) {
                    unpublished.computeIfAbsent(e.value.windowEnd, w -> new ArrayList<>()).add(e.value.cell);
                } else {
                    summed.get(e.value.windowEnd).put(e.value.cell, e.value.counts);
                }
            }
        }
        done.forEach(rollUps::delete);
        rollUpFloors.put(spec.label(), through + 1);
        for (final Map.Entry<Long, Map<String, CellAccumulator>> w : summed.entrySet()) {
            final long end = w.getKey();
            final long start = end - spec.size().toMillis();
            // Each summed cell covers at least one published part, so at least k accounts: folding
            // (sums of published cells) is the only decision left.
            final Map<String, CellAccumulator> out = DisclosureControl.foldAll(w.getValue(), config.maxDimensionValues(),
                    config.exactAccountCap());
            final Map<String, Long> perDimension = new TreeMap<>();
            out.keySet().forEach(c -> perDimension.merge(Dimensions.dimension(c), 1L, Long::sum));
            for (final String cell : unpublished.getOrDefault(end, List.of())) {
                final String dimension = Dimensions.dimension(cell);
                if (!out.containsKey(cell) && perDimension.getOrDefault(dimension, 0L) < config.maxDimensionValues()) {
                    out.put(cell, null);
                    perDimension.merge(dimension, 1L, Long::sum);
                }
            }
            out.forEach((cell, acc) -> forward(spec, start, end, cell, acc));
        }
    }

    private void forward(final MonitoringConfig.WindowSpec spec, final long start, final long end, final String cell,
                         final CellAccumulator counts) {
        final Windowed<String> w = new Windowed<>(cell, new TimeWindow(start, end));
        final WindowAggregate a = AggregateStage.publish(w, counts == null ? new CellAccumulator() : counts, spec,
                config.k(), counts == null);
        Metered.safely(() -> metrics.aggregateCell(a.getSuppressed()));
        context.forward(new Record<>(AggregateStage.outputKey(a), a, end - 1));
    }

    /** Sorted by window end, start, then cell: closing is a range scan. */
    private static String key(final long end, final long start, final String cell) {
        return pad(end) + "|" + pad(start) + "|" + cell;
    }

    private static String pad(final long millis) {
        return SortableKeys.time(millis);
    }
}
