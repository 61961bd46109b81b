package dev.vigil.aggregate;

import dev.vigil.config.Topics;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.stream.JsonSerde;
import dev.vigil.stream.Metered;
import dev.vigil.stream.ObjectCachedStore;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.stream.ProgressPartitioner;
import dev.vigil.stream.ProgressStamper;
import dev.vigil.stream.ProgressWindowProcessor;
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
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
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
 * pushback reason, language, model) over the smallest window size, on a tumbling grid, and over
 * the hopping windows the rate alerts judge. Counted in two phases: each input task counts its
 * own contributions ({@link CellPartials}) and sends one partial per cell and window, which the
 * cell's task merges. Cells are handed on once per window after every input partition has passed
 * the window's end plus grace (see {@link dev.vigil.stream.Stamped}); {@link Publication}
 * decides what is published of them and sums the larger sizes.
 */
public final class AggregateStage {
    public static final String CELL_REPARTITION = "aggregate-cells";
    /** The first phase's log of contributions to open windows, per input task. */
    public static final String PARTIALS_STORE = "aggregate-partials";
    public static final String PUBLISH_REPARTITION = "aggregate-publication";
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
        final MonitoringConfig.WindowSpec finest = config.finestWindowSpec();
        final MonitoringConfig.WindowSpec judged = config.alertWindowSpec();
        // Counted from contributions: the smallest size (published), and the windows the rate
        // alerts judge. Larger published sizes are sums of published small cells (Publication).
        final Map<MonitoringConfig.WindowSpec, TimeWindows> counted = new LinkedHashMap<>();
        for (final MonitoringConfig.WindowSpec spec : config.aggregateWindows()) {
            if (spec.equals(finest) || spec.equals(judged)) {
                // Only the aligned windows of the smallest size are published; unless the alerts
                // judge them, the overlapping ones need not be counted at all.
                final Duration advance = spec.equals(judged) ? spec.advance() : spec.size();
                counted.put(spec, TimeWindows.ofSizeAndGrace(spec.size(), config.grace()).advanceBy(advance));
            }
        }
        // First phase, in the task that keeps the conversations: one partial per cell and window.
        final KStream<String, CellPartial> cells = contributions
                .process(new ProcessorSupplier<String, Contribution, String, CellPartial>() {
                    @Override
                    public Processor<String, Contribution, String, CellPartial> get() {
                        final List<CellPartials.Counted> sizes = new ArrayList<>();
                        counted.forEach((spec, windows) -> sizes.add(new CellPartials.Counted(windows, spec.equals(finest))));
                        return new CellPartials(sizes, config.grace(), PARTIALS_STORE,
                                config.exactAccountCap(), CACHE_WEIGHT, config.sourceIdleTimeout(), metrics);
                    }

                    @Override
                    public Set<StoreBuilder<?>> stores() {
                        // The log of contributions the open windows are built from; each is
                        // written once and deleted soon after, so small segments let it compact.
                        return Set.of(Stores.keyValueStoreBuilder(config.keyValueStore(PARTIALS_STORE),
                                Serdes.String(), new ContributionCodec())
                                .withLoggingEnabled(ObjectCachedStore.CHANGELOG_CONFIG));
                    }
                }, Named.as("aggregate-cell-partials"))
                .repartition(Repartitioned.<String, CellPartial>as(CELL_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(new JsonSerde<>(CellPartial.class))
                        .withStreamPartitioner(new ProgressPartitioner<>()));
        final Map<String, KStream<Windowed<String>, CellAccumulator>> results = new LinkedHashMap<>();
        for (final Map.Entry<MonitoringConfig.WindowSpec, TimeWindows> e : counted.entrySet()) {
            final MonitoringConfig.WindowSpec spec = e.getKey();
            final TimeWindows windows = e.getValue();
            final boolean publishes = spec.equals(finest);
            final boolean isJudged = spec.equals(judged);
            final String label = label(spec);
            final String store = "aggregate-cells-" + label;
            final String progress = "aggregate-progress-" + label;
            // One record per cell per window, once every input partition has passed the window's
            // end plus grace: downstream never sees a partial count, and a replay the same ones.
            final KStream<Windowed<String>, Object> closed = cells.process(
                    new ProcessorSupplier<String, CellPartial, Windowed<String>, Object>() {
                        @Override
                        public Processor<String, CellPartial, Windowed<String>, Object> get() {
                            return new CellWindows(windows, store, progress, config, metrics, publishes, isJudged);
                        }

                        @Override
                        public Set<StoreBuilder<?>> stores() {
                            // Live objects, written to the changelog once per commit (see
                            // ObjectCachedStore): a busy cell takes a partial from every input task.
                            return Set.of(ProgressWindowProcessor.windowStore(config, store,
                                    new JsonSerde<>(CellAccumulator.class), CellAccumulator::weight, CACHE_WEIGHT),
                                    SourceProgress.store(config, progress));
                        }
                    }, Named.as("aggregate-" + label));
            if (publishes && isJudged) {
                final Map<String, KStream<Windowed<String>, Object>> byType = closed.split(Named.as("aggregate-" + label + "-"))
                        .branch((w, v) -> v instanceof CellAccumulator, Branched.as("finals"))
                        .defaultBranch(Branched.as("publishing"));
                results.put(label, byType.get("aggregate-" + label + "-finals")
                        .mapValues(v -> (CellAccumulator) v, Named.as("aggregate-final-counts-" + label)));
                publish(byType.get("aggregate-" + label + "-publishing"), config, serdes, metrics);
            } else if (publishes) {
                publish(closed, config, serdes, metrics);
            } else {
                results.put(label, closed.mapValues(v -> (CellAccumulator) v, Named.as("aggregate-final-counts-" + label)));
            }
        }
        return results;
    }

    /**
     * Publishes every window size: the smallest size's closed cells meet, keyed by the largest
     * window they lie in ({@value #PUBLISH_REPARTITION}), in {@link Publication}, which decides
     * them together and sums what it published into the larger sizes.
     */
    private static void publish(final KStream<Windowed<String>, Object> outgoing, final MonitoringConfig config,
                                final VigilSerdes serdes, final SafetyMetrics metrics) {
        final String held = "aggregate-publication-held";
        final String rollUps = "aggregate-publication-roll-ups";
        final String progress = "aggregate-publication-progress";
        final long largestMs = config.largestWindowSpec().size().toMillis();
        outgoing.map((w, v) -> KeyValue.pair(((FinalCell) v).progressOnly ? ProgressStamper.PROGRESS_KEY
                                : Publication.routingKey(largestMs, w.window().start()), (FinalCell) v),
                        Named.as("aggregate-publication-key"))
                .repartition(Repartitioned.<String, FinalCell>as(PUBLISH_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(new JsonSerde<>(FinalCell.class))
                        .withStreamPartitioner(new ProgressPartitioner<>()))
                .process(new ProcessorSupplier<String, FinalCell, String, WindowAggregate>() {
                    @Override
                    public Processor<String, FinalCell, String, WindowAggregate> get() {
                        return new Publication(config, metrics, held, rollUps, progress);
                    }

                    @Override
                    public Set<StoreBuilder<?>> stores() {
                        return Set.of(Stores.keyValueStoreBuilder(config.keyValueStore(held), Serdes.String(),
                                        new JsonSerde<>(FinalCell.class)),
                                Stores.keyValueStoreBuilder(config.keyValueStore(rollUps), Serdes.String(),
                                        new JsonSerde<>(FinalCell.class)),
                                SourceProgress.store(config, progress));
                    }
                }, Named.as("aggregate-publication"))
                .to(config.topic(Topics.AGGREGATES), Produced.with(Serdes.String(), serdes.value(WindowAggregate.class))
                        .withName("aggregates-sink"));
    }

    /**
     * Second phase: merges every input task's partial per cell and window; hands on each window's
     * final count once every input task has passed its end plus grace.
     */
    static final class CellWindows extends ProgressWindowProcessor<CellPartial, CellAccumulator,
            Windowed<String>, Object> {
        private final MonitoringConfig config;
        private final SafetyMetrics metrics;

        /** Hands on the aligned windows (start a multiple of the size) to be published. */
        private final boolean publishes;
        /** Hands on every window's final count to the rate alerts. */
        private final boolean judged;
        private final long size;

        CellWindows(final TimeWindows windows, final String store, final String progress,
                    final MonitoringConfig config, final SafetyMetrics metrics, final boolean publishes,
                    final boolean judged) {
            super(windows, store, progress);
            this.config = config;
            this.metrics = metrics;
            this.publishes = publishes;
            this.judged = judged;
            this.size = windows.size();
        }

        @Override
        protected CellAccumulator initial() {
            return new CellAccumulator();
        }

        @Override
        protected Map<Long, TimeWindow> windowsOf(final Record<String, CellPartial> record) {
            final CellPartial p = record.value();
            // Both sizes read the same partials; a size merges its own windows only.
            return p.windowEnd - p.windowStart == size ? Map.of(p.windowStart, new TimeWindow(p.windowStart, p.windowEnd))
                    : Map.of();
        }

        @Override
        protected CellAccumulator add(final String cell, final CellPartial p, final CellAccumulator acc) {
            return acc.merge(p.counts, config.exactAccountCap());
        }

        @Override
        protected void closed(final Windowed<String> window, final CellAccumulator acc) {
            // Stamped with the window's last instant: its event time, whatever order the
            // partitions were read in (a replay publishes by it; see ReplayRange).
            if (judged) {
                context().forward(new Record<>(window, (Object) acc, window.window().end() - 1));
            }
            if (!publishes || Math.floorMod(window.window().start(), size) != 0) {
                return;
            }
            final FinalCell f = stamped(new FinalCell(), reportedWatermark());
            f.windowStart = window.window().start();
            f.windowEnd = window.window().end();
            f.cell = window.key();
            f.counts = acc;
            context().forward(new Record<>(window, (Object) f, window.window().end() - 1));
        }

        @Override
        protected void advanced(final long watermark, final int sources) {
            if (!publishes) {
                return;
            }
            final FinalCell p = stamped(new FinalCell(), watermark);
            p.progressOnly = true;
            final Windowed<String> none = new Windowed<>(ProgressStamper.PROGRESS_KEY, new TimeWindow(0, 1));
            context().forward(new Record<>(none, (Object) p, Math.max(0, watermark)));
        }

        @Override
        protected void late(final CellPartial p) {
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
                .setPushbackCount(acc.pushbackWithheld ? null : acc.pushbackCount)
                .setPushbackRate(acc.pushbackWithheld ? null : acc.pushbackRate())
                .setPushbackByReason(acc.pushbackWithheld ? null : new TreeMap<>(acc.pushbackByReason))
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
