package dev.vigil.aggregate;

import dev.vigil.config.Topics;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.stream.JsonSerde;
import dev.vigil.stream.Metered;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.stream.ProgressPartitioner;
import dev.vigil.stream.ProgressStamper;
import dev.vigil.stream.ProgressWindowProcessor;
import dev.vigil.stream.SortableKeys;
import dev.vigil.stream.SourceProgress;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.TreeMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The windowed aggregates: every contribution counted in its cells (all, affective category,
 * pushback reason, language, model) over each configured hopping window, published once per
 * cell and window after every input partition has passed the window's end plus grace (see
 * {@link dev.vigil.stream.Stamped}), with k-anonymity applied.
 */
public final class AggregateStage {
    public static final String CELL_REPARTITION = "aggregate-cells";
    public static final String PUBLISH_REPARTITION_PREFIX = "aggregate-publish-";
    /**
     * Distinct accounts and conversations (exactly counted ones) the open cell windows of one
     * task may hold as live objects, about 50 bytes each: roughly 100 MB of heap. Beyond it the
     * least recently used cells are read from the store again when next used.
     */
    static final long CACHE_WEIGHT = 2_000_000;

    private AggregateStage() {
    }

    /**
     * Adds the aggregates and returns the final (not yet k-suppressed) cell results per window
     * label ({@code pt5m}, {@code pt1h}, ...), which the window alert rules judge.
     */
    public static Map<String, KStream<Windowed<String>, CellAccumulator>> build(
            final KStream<String, Contribution> contributions, final MonitoringConfig config,
            final VigilSerdes serdes, final SafetyMetrics metrics) {
        final JsonSerde<Contribution> contributionSerde = new JsonSerde<>(Contribution.class);
        final KStream<String, Contribution> cells = contributions
                .process(() -> new CellContributions(config.sourceIdleTimeout()),
                        Named.as("aggregate-cell-contributions"))
                .repartition(Repartitioned.<String, Contribution>as(CELL_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(contributionSerde)
                        .withStreamPartitioner(new ProgressPartitioner<>()));
        final Map<String, KStream<Windowed<String>, CellAccumulator>> results = new LinkedHashMap<>();
        for (final MonitoringConfig.WindowSpec spec : config.aggregateWindows()) {
            final String label = label(spec);
            final TimeWindows windows = TimeWindows.ofSizeAndGrace(spec.size(), config.grace()).advanceBy(spec.advance());
            final String store = "aggregate-cells-" + label;
            final String progress = "aggregate-progress-" + label;
            // One record per cell per window, once every input partition has passed the window's
            // end plus grace: downstream never sees a partial count, and a replay the same ones.
            final KStream<Windowed<String>, Object> closed = cells.process(
                    new ProcessorSupplier<String, Contribution, Windowed<String>, Object>() {
                        @Override
                        public Processor<String, Contribution, Windowed<String>, Object> get() {
                            return new CellWindows(windows, store, progress, config, metrics);
                        }

                        @Override
                        public Set<StoreBuilder<?>> stores() {
                            // Live objects, written to the changelog once per commit: every
                            // record updates ~45 cell windows (see ObjectCachedStore).
                            return Set.of(ProgressWindowProcessor.windowStore(config, store,
                                    new JsonSerde<>(CellAccumulator.class), CellAccumulator::weight, CACHE_WEIGHT),
                                    SourceProgress.store(config, progress));
                        }
                    }, Named.as("aggregate-" + label));
            final Map<String, KStream<Windowed<String>, Object>> byType = closed.split(Named.as("aggregate-" + label + "-"))
                    .branch((w, v) -> v instanceof CellAccumulator, Branched.as("finals"))
                    .defaultBranch(Branched.as("publishing"));
            final KStream<Windowed<String>, CellAccumulator> finals = byType.get("aggregate-" + label + "-finals")
                    .mapValues(v -> (CellAccumulator) v, Named.as("aggregate-final-counts-" + label));
            publish(byType.get("aggregate-" + label + "-publishing"), spec, label, config, serdes, metrics);
            results.put(label, finals);
        }
        return results;
    }

    /**
     * Publishes the cells of one window size: every cell of one dimension and window meets in one
     * task ({@value #PUBLISH_REPARTITION_PREFIX}{@code <label>}, keyed by dimension and window),
     * which applies k-anonymity to them together once every cell task has closed the window.
     */
    private static void publish(final KStream<Windowed<String>, Object> outgoing, final MonitoringConfig.WindowSpec spec,
                                final String label, final MonitoringConfig config, final VigilSerdes serdes,
                                final SafetyMetrics metrics) {
        final String store = "aggregate-publish-held-" + label;
        final String progress = "aggregate-publish-progress-" + label;
        outgoing.map((w, v) -> KeyValue.pair(((FinalCell) v).progressOnly ? ProgressStamper.PROGRESS_KEY
                                : Dimensions.dimension(w.key()) + "@" + w.window().start(), (FinalCell) v),
                        Named.as("aggregate-publish-key-" + label))
                .repartition(Repartitioned.<String, FinalCell>as(PUBLISH_REPARTITION_PREFIX + label)
                        .withKeySerde(Serdes.String()).withValueSerde(new JsonSerde<>(FinalCell.class))
                        .withStreamPartitioner(new ProgressPartitioner<>()))
                .process(new ProcessorSupplier<String, FinalCell, String, WindowAggregate>() {
                    @Override
                    public Processor<String, FinalCell, String, WindowAggregate> get() {
                        return new DimensionPublisher(spec, config, metrics, store, progress);
                    }

                    @Override
                    public Set<StoreBuilder<?>> stores() {
                        return Set.of(Stores.keyValueStoreBuilder(config.keyValueStore(store), Serdes.String(),
                                new JsonSerde<>(FinalCell.class)), SourceProgress.store(config, progress));
                    }
                }, Named.as("aggregate-k-anonymity-" + label))
                .to(config.topic(Topics.AGGREGATES), Produced.with(Serdes.String(), serdes.value(WindowAggregate.class))
                        .withName("aggregates-sink-" + label));
    }

    /**
     * Holds the final cells of each (dimension, window) until every cell task has closed the
     * window, then publishes them with k-anonymity applied to the dimension as a whole: a cell
     * below k is suppressed, and if any cell of a dimension is, so is the smallest published one.
     * Without that second step the suppressed cell could be recovered by subtraction (the
     * {@code all} cell minus the other cells of the dimension); with it, what subtraction yields
     * covers at least k accounts (the smallest published cell alone has k).
     */
    static final class DimensionPublisher implements Processor<String, FinalCell, String, WindowAggregate> {
        private final MonitoringConfig.WindowSpec spec;
        private final MonitoringConfig config;
        private final SafetyMetrics metrics;
        private final String storeName;
        private final SourceProgress progress;
        private final long graceMs;
        private ProcessorContext<String, WindowAggregate> context;
        private KeyValueStore<String, FinalCell> held;
        /**
         * No held cell ends before this (in memory; 0 whenever the task starts). Scans start here:
         * RocksDB skips the deletions of published cells one by one until compaction, so scans
         * from time 0 grew with the run.
         */
        private long heldFloor;

        DimensionPublisher(final MonitoringConfig.WindowSpec spec, final MonitoringConfig config,
                           final SafetyMetrics metrics, final String store, final String progressStore) {
            this.spec = spec;
            this.config = config;
            this.metrics = metrics;
            this.storeName = store;
            this.progress = new SourceProgress(progressStore);
            this.graceMs = config.grace().toMillis();
        }

        @Override
        public void init(final ProcessorContext<String, WindowAggregate> context) {
            this.context = context;
            this.held = context.getStateStore(storeName);
            this.heldFloor = 0;
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
                held.put(heldKey(f.windowEnd, f.windowStart, f.cell), f);
                heldFloor = Math.min(heldFloor, f.windowEnd);
            }
            final long watermark = progress.watermark();
            if (!moved || watermark == SourceProgress.NONE) {
                return;
            }
            // A cell task announces watermark w once it has sent every window ending by w - grace.
            final long through = watermark - graceMs;
            if (heldFloor > through) {
                // Nothing held ends by then; and a range with from > to makes the store log a warning.
                return;
            }
            final Map<String, List<FinalCell>> groups = new TreeMap<>();
            final List<String> done = new ArrayList<>();
            try (KeyValueIterator<String, FinalCell> it = held.range(pad(heldFloor), pad(through) + "|\uffff")) {
                while (it.hasNext()) {
                    final KeyValue<String, FinalCell> e = it.next();
                    done.add(e.key);
                    groups.computeIfAbsent(pad(e.value.windowEnd) + "|" + pad(e.value.windowStart) + "|"
                            + Dimensions.dimension(e.value.cell), g -> new ArrayList<>()).add(e.value);
                }
            }
            done.forEach(held::delete);
            heldFloor = Math.max(heldFloor, through + 1);
            groups.values().forEach(this::publishDimension);
        }

        private void publishDimension(final List<FinalCell> cells) {
            final Set<String> suppressed = suppressedCells(cells, config.k());
            for (final FinalCell f : cells) {
                final Windowed<String> w = new Windowed<>(f.cell, new TimeWindow(f.windowStart, f.windowEnd));
                final WindowAggregate a = AggregateStage.publish(w, f.counts, spec, config.k(), suppressed.contains(f.cell));
                Metered.safely(() -> metrics.aggregateCell(a.getSuppressed()));
                context.forward(new Record<>(outputKey(a), a, f.windowEnd - 1));
            }
        }

        /** Sorted by window end, start, dimension, then cell: closing is a range scan. */
        private static String heldKey(final long end, final long start, final String cell) {
            return pad(end) + "|" + pad(start) + "|" + cell;
        }

        private static String pad(final long millis) {
            return SortableKeys.time(millis);
        }
    }

    /**
     * The cells of one dimension and window to publish as suppressed: those below k accounts and,
     * if there is any, the smallest of the others (fewest accounts, then name), so no suppressed
     * cell can be recovered by subtracting the published ones from the whole.
     */
    static Set<String> suppressedCells(final List<FinalCell> cells, final int k) {
        final Set<String> out = new java.util.TreeSet<>();
        FinalCell smallestPublished = null;
        for (final FinalCell f : cells) {
            final long accounts = f.counts.accounts.count();
            if (accounts < k) {
                out.add(f.cell);
            } else if (smallestPublished == null || accounts < smallestPublished.counts.accounts.count()
                    || accounts == smallestPublished.counts.accounts.count() && f.cell.compareTo(smallestPublished.cell) < 0) {
                smallestPublished = f;
            }
        }
        if (!out.isEmpty() && smallestPublished != null) {
            out.add(smallestPublished.cell);
        }
        return out;
    }

    /** Sends each contribution to every cell it counts in, stamped with this task's progress. */
    static final class CellContributions extends ProgressStamper<String, Contribution, Contribution> {
        CellContributions(final Duration idleAfter) {
            super(Contribution::new, idleAfter);
        }

        @Override
        protected void emit(final Record<String, Contribution> record, final Emitter<Contribution> out) {
            if (record.value() == null) {
                return;
            }
            for (final String cell : record.value().cells()) {
                out.send(cell, record.value(), record.timestamp());
            }
        }
    }

    /** Counts contributions per cell and window; hands on each window's final count. */
    static final class CellWindows extends ProgressWindowProcessor<Contribution, CellAccumulator,
            Windowed<String>, Object> {
        private final MonitoringConfig config;
        private final SafetyMetrics metrics;

        CellWindows(final TimeWindows windows, final String store, final String progress,
                    final MonitoringConfig config, final SafetyMetrics metrics) {
            super(windows, store, progress);
            this.config = config;
            this.metrics = metrics;
        }

        @Override
        protected CellAccumulator initial() {
            return new CellAccumulator();
        }

        @Override
        protected CellAccumulator add(final String cell, final Contribution c, final CellAccumulator acc) {
            return acc.add(c, config.exactAccountCap());
        }

        @Override
        protected void closed(final Windowed<String> window, final CellAccumulator acc) {
            // Stamped with the window's last instant: its event time, whatever order the
            // partitions were read in (a replay publishes by it; see ReplayRange).
            context().forward(new Record<>(window, (Object) acc, window.window().end() - 1));
            final FinalCell f = stamped(new FinalCell(), reportedWatermark());
            f.windowStart = window.window().start();
            f.windowEnd = window.window().end();
            f.cell = window.key();
            f.counts = acc;
            context().forward(new Record<>(window, (Object) f, window.window().end() - 1));
        }

        @Override
        protected void advanced(final long watermark, final int sources) {
            final FinalCell p = stamped(new FinalCell(), watermark);
            p.progressOnly = true;
            final Windowed<String> none = new Windowed<>(ProgressStamper.PROGRESS_KEY, new TimeWindow(0, 1));
            context().forward(new Record<>(none, (Object) p, Math.max(0, watermark)));
        }

        @Override
        protected void late(final Contribution c) {
            Metered.safely(() -> metrics.lateRecord("aggregates"));
        }
    }

    /** Lower-case ISO duration of the window size, e.g. {@code pt5m}: part of store and topic names. */
    public static String label(final MonitoringConfig.WindowSpec spec) {
        return spec.label().toLowerCase(Locale.ROOT);
    }

    /** Key of a published cell: window size, cell and start, so a compacted topic keeps one per cell. */
    static String outputKey(final WindowAggregate a) {
        return a.getWindowSize() + "/" + a.getDimension() + "=" + a.getValue() + "/" + a.getWindowStart();
    }

    /**
     * The published form of a cell. Below k distinct accounts, or when {@code suppress} (the
     * dimension's secondary suppression), every count is null, including the account count
     * itself: "suppressed" is all a reader learns about a small cell.
     */
    static WindowAggregate publish(final Windowed<String> window, final CellAccumulator acc,
                                   final MonitoringConfig.WindowSpec spec, final int k, final boolean suppress) {
        final String cell = window.key();
        final WindowAggregate.Builder b = WindowAggregate.newBuilder()
                .setWindowStart(Instant.ofEpochMilli(window.window().start()))
                .setWindowEnd(Instant.ofEpochMilli(window.window().end()))
                .setWindowSize(spec.label())
                .setDimension(Dimensions.dimension(cell))
                .setValue(Dimensions.value(cell))
                .setK(k)
                .setClassifierVersion(acc.classifierVersion == null ? "" : acc.classifierVersion);
        final long accounts = acc.accounts.count();
        if (accounts < k || suppress) {
            return b.setSuppressed(true).build();
        }
        return b.setSuppressed(false)
                .setDistinctAccounts(accounts)
                .setConversations(acc.conversations.count())
                .setMessages(acc.messages)
                .setHumanMessages(acc.humanMessages)
                .setAssistantMessages(acc.assistantMessages)
                .setPushbackCount(acc.pushbackCount)
                .setPushbackRate(acc.pushbackRate())
                .setPushbackByReason(new TreeMap<>(acc.pushbackByReason))
                .setSentimentMean(acc.sentimentMean())
                .setSentimentCount(acc.sentimentCount)
                .setEndedConversations(acc.endedConversations)
                .setSentimentShiftMean(acc.shiftMean())
                .setCrisisByLevel(new TreeMap<>(acc.crisisByLevel))
                .setCrisisDisclosures(acc.crisisDisclosures())
                .setReferrals(acc.referrals)
                .setMissedReferrals(acc.missedReferrals)
                .setPartialReferrals(acc.partialReferrals)
                .build();
    }
}
