package dev.vigil.aggregate;

import dev.vigil.config.Topics;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.topology.JsonSerde;
import dev.vigil.topology.Metered;
import dev.vigil.topology.MonitoringConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.TreeMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The windowed aggregates: every contribution counted in its cells (all, affective category,
 * pushback reason, language, model) over each configured hopping window, published once per
 * cell and window after the window closes (grace included), with k-anonymity applied.
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
        final KGroupedStream<String, Contribution> cells = contributions
                .flatMap((conversation, c) -> {
                    final List<KeyValue<String, Contribution>> out = new ArrayList<>(5);
                    for (final String cell : c.cells()) {
                        out.add(KeyValue.pair(cell, c));
                    }
                    return out;
                }, Named.as("aggregate-cell-contributions"))
                .repartition(Repartitioned.<String, Contribution>as(CELL_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(new JsonSerde<>(Contribution.class)))
                .groupByKey(Grouped.with(Serdes.String(), new JsonSerde<>(Contribution.class)));
        final Map<String, KStream<Windowed<String>, CellAccumulator>> results = new LinkedHashMap<>();
        for (final MonitoringConfig.WindowSpec spec : config.aggregateWindows()) {
            final String label = label(spec);
            final KStream<Windowed<String>, CellAccumulator> finals = cells
                    .windowedBy(TimeWindows.ofSizeAndGrace(spec.size(), config.grace()).advanceBy(spec.advance()))
                    .aggregate(CellAccumulator::new,
                            (cell, c, acc) -> acc.add(c, config.exactAccountCap()),
                            Named.as("aggregate-" + label),
                            Materialized.<String, CellAccumulator, WindowStore<Bytes, byte[]>>as("aggregate-cells-" + label)
                                    .withKeySerde(Serdes.String())
                                    .withValueSerde(new JsonSerde<>(CellAccumulator.class)))
                    // One record per cell per window: downstream never sees a partial count.
                    .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
                            .withName("aggregate-final-" + label))
                    .toStream(Named.as("aggregate-results-" + label));
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
