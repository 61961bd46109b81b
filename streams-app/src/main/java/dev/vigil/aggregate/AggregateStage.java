package dev.vigil.aggregate;

import dev.vigil.config.Topics;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.topology.JsonSerde;
import dev.vigil.topology.Metered;
import dev.vigil.topology.MonitoringConfig;
import dev.vigil.topology.ProgressPartitioner;
import dev.vigil.topology.ProgressStamper;
import dev.vigil.topology.ProgressWindowProcessor;
import dev.vigil.topology.SourceProgress;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

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
 * {@link dev.vigil.topology.Stamped}), with k-anonymity applied.
 */
public final class AggregateStage {
    public static final String CELL_REPARTITION = "aggregate-cells";

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
            final KStream<Windowed<String>, CellAccumulator> finals = cells.process(
                    new ProcessorSupplier<String, Contribution, Windowed<String>, CellAccumulator>() {
                        @Override
                        public Processor<String, Contribution, Windowed<String>, CellAccumulator> get() {
                            return new CellWindows(windows, store, progress, config, metrics);
                        }

                        @Override
                        public Set<StoreBuilder<?>> stores() {
                            return Set.of(ProgressWindowProcessor.windowStore(config, store,
                                    new JsonSerde<>(CellAccumulator.class)), SourceProgress.store(config, progress));
                        }
                    }, Named.as("aggregate-" + label));
            finals.map((w, acc) -> {
                        final WindowAggregate a = publish(w, acc, spec, config.k());
                        Metered.safely(() -> metrics.aggregateCell(a.getSuppressed()));
                        return KeyValue.pair(outputKey(a), a);
                    }, Named.as("aggregate-k-anonymity-" + label))
                    .to(config.topic(Topics.AGGREGATES), Produced.with(Serdes.String(), serdes.value(WindowAggregate.class))
                            .withName("aggregates-sink-" + label));
            results.put(label, finals);
        }
        return results;
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
            Windowed<String>, CellAccumulator> {
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
            context().forward(new Record<>(window, acc, window.window().end() - 1));
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
     * The published form of a cell. Below k distinct accounts every count is null, including the
     * account count itself: "suppressed" is all a reader learns about a small cell.
     */
    public static WindowAggregate publish(final Windowed<String> window, final CellAccumulator acc,
                                          final MonitoringConfig.WindowSpec spec, final int k) {
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
        if (accounts < k) {
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
