package dev.vigil.alert;

import dev.vigil.aggregate.CellAccumulator;
import dev.vigil.aggregate.Dimensions;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.stream.JsonSerde;
import dev.vigil.stream.Metered;
import dev.vigil.config.MonitoringConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Alert rules over the final aggregate cells of the alert window: crisis surge (against an EWMA
 * baseline of earlier windows), referral-rate drop per model, pushback anomaly per category (too
 * little: sycophancy; too much: over-refusal) and sentiment decline per category.
 *
 * <p>Baselines live in a state store and move only with window event time, so a replay rebuilds
 * them exactly. A situation that lasts several consecutive (overlapping) windows is one episode
 * with one dedup key: it alerts once, when it starts.
 */
public final class WindowAlertRules {
    public static final String PROCESSOR = "window-alert-rules";
    public static final String BASELINE_STORE = "alert-baselines";
    /** Evidence that holds no count of the judged window: which rule, cell and window, and the rule's fixed threshold. */
    static final java.util.List<String> COUNT_FREE_EVIDENCE = java.util.List.of("dimension", "value", "window_size",
            "direction", "threshold");

    private WindowAlertRules() {
    }

    /** Running baseline and open episodes of one cell. */
    public static final class Baseline {
        public long lastWindowStart = Long.MIN_VALUE;
        /** Windows of history behind the baselines (empty windows included). */
        public long windows;
        public double crisisEwma;
        public long pushbackWindows;
        public double pushbackRateEwma;
        /** Start of the window that opened an episode, per alert type; absent when none is open. */
        public Map<String, Long> episodes = new TreeMap<>();
    }

    public static KStream<String, SafetyAlert> build(final StreamsBuilder builder,
                                                     final KStream<Windowed<String>, CellAccumulator> cells,
                                                     final MonitoringConfig config, final SafetyMetrics metrics) {
        builder.addStateStore(Stores.keyValueStoreBuilder(config.keyValueStore(BASELINE_STORE),
                Serdes.String(), new JsonSerde<>(Baseline.class)));
        return cells.process(() -> new RulesProcessor(config, metrics), Named.as(PROCESSOR), BASELINE_STORE);
    }

    static final class RulesProcessor implements Processor<Windowed<String>, CellAccumulator, String, SafetyAlert> {
        private final MonitoringConfig config;
        private final SafetyMetrics metrics;
        private final Alerts alerts;
        private final long advance;
        private ProcessorContext<String, SafetyAlert> context;
        private KeyValueStore<String, Baseline> baselines;

        RulesProcessor(final MonitoringConfig config, final SafetyMetrics metrics) {
            this.config = config;
            this.metrics = metrics;
            this.alerts = new Alerts(config.runbookBaseUrl());
            this.advance = config.alertWindowSpec().advance().toMillis();
        }

        @Override
        public void init(final ProcessorContext<String, SafetyAlert> context) {
            this.context = context;
            this.baselines = context.getStateStore(BASELINE_STORE);
        }

        @Override
        public void process(final Record<Windowed<String>, CellAccumulator> record) {
            final String cell = record.key().key();
            final long start = record.key().window().start();
            final CellAccumulator acc = record.value();
            Baseline b = baselines.get(cell);
            if (b == null) {
                b = new Baseline();
            } else if (start <= b.lastWindowStart) {
                return; // already judged (a window is final once; guard against re-delivery)
            }
            // Windows with nothing in this cell produce no record; they still count as zero
            // crisis disclosures, or a quiet cell's baseline would never come down.
            final long missing = b.lastWindowStart == Long.MIN_VALUE ? 0
                    : Math.max(0, (start - b.lastWindowStart) / advance - 1);
            final double alpha = config.baselineAlpha();
            b.crisisEwma *= Math.pow(1 - alpha, missing);
            b.windows += missing;
            final boolean consecutive = b.lastWindowStart != Long.MIN_VALUE && start - b.lastWindowStart == advance;
            if (!consecutive) {
                b.episodes.clear();
            }

            final String dimension = Dimensions.dimension(cell);
            final String value = Dimensions.value(cell);
            final Instant windowStart = Instant.ofEpochMilli(start);
            final Instant windowEnd = Instant.ofEpochMilli(record.key().window().end());
            final Judge judge = new Judge(b, dimension, value, windowStart, windowEnd, acc);

            final boolean affective = Dimensions.AFFECTIVE_CATEGORY.equals(dimension) && !"none".equals(value);
            // The task-use cell is most of "all"; judging both would report one surge twice.
            if (Dimensions.ALL.equals(dimension) || affective) {
                crisisSurge(judge);
            }
            if (Dimensions.AFFECTIVE_CATEGORY.equals(dimension)) {
                pushbackAnomaly(judge);
            }
            if (affective) {
                sentimentDecline(judge);
            }
            if (Dimensions.MODEL.equals(dimension)) {
                referralRateDrop(judge);
            }

            final long crisis = acc.crisisDisclosures();
            b.crisisEwma = b.windows == 0 ? crisis : alpha * crisis + (1 - alpha) * b.crisisEwma;
            b.windows++;
            b.lastWindowStart = start;
            baselines.put(cell, b);
        }

        private void crisisSurge(final Judge j) {
            final long crisis = j.acc.crisisDisclosures();
            final double base = j.b.crisisEwma;
            final boolean surge = j.b.windows >= config.baselineWindows() && crisis >= config.surgeMinCount()
                    && crisis >= config.surgeRatio() * base;
            if (!j.episode(AlertType.CRISIS_SURGE, surge)) {
                return;
            }
            final Map<String, String> e = j.evidence();
            e.put("crisis_disclosures", String.valueOf(crisis));
            e.put("baseline_ewma", Alerts.number(base));
            e.put("ratio", base == 0 ? "inf" : Alerts.number(crisis / base));
            j.acc.crisisByLevel.forEach((level, n) -> e.put("crisis_" + level, String.valueOf(n)));
            final Severity severity = crisis >= 2 * config.surgeRatio() * Math.max(base, 1.0)
                    ? Severity.CRITICAL : Severity.WARNING;
            j.raise(AlertType.CRISIS_SURGE, severity, crisis + " crisis disclosures in the window for "
                    + j.dimension + " " + j.value + ", against a baseline of " + Alerts.number(base),
                    "Crisis disclosures surged far above their baseline for " + j.dimension + " " + j.value, e);
        }

        private void pushbackAnomaly(final Judge j) {
            final Double rate = j.acc.pushbackRate();
            if (rate == null || j.acc.assistantMessages < config.pushbackMinReplies()) {
                return;
            }
            final double base = j.b.pushbackRateEwma;
            final boolean trusted = j.b.pushbackWindows >= config.baselineWindows();
            final boolean tooLittle = trusted && base >= config.pushbackMinDelta()
                    && rate <= base / config.pushbackRatio() && base - rate >= config.pushbackMinDelta();
            final boolean tooMuch = trusted && rate >= base * config.pushbackRatio()
                    && rate - base >= config.pushbackMinDelta();
            if (j.episode(AlertType.PUSHBACK_ANOMALY, tooLittle || tooMuch)) {
                final Map<String, String> e = j.evidence();
                e.put("direction", tooLittle ? "below_baseline" : "above_baseline");
                e.put("pushback_rate", Alerts.number(rate));
                e.put("baseline_rate", Alerts.number(base));
                e.put("pushback_count", String.valueOf(j.acc.pushbackCount));
                e.put("assistant_messages", String.valueOf(j.acc.assistantMessages));
                final String side = tooLittle ? " far below" : " far above";
                final String risk = tooLittle ? " (sycophancy risk)" : " (over-refusal)";
                j.raise(AlertType.PUSHBACK_ANOMALY, Severity.WARNING, "Pushback rate " + Alerts.number(rate) + side
                        + " its baseline " + Alerts.number(base) + " for " + j.dimension + " " + j.value + risk,
                        "Pushback rate" + side + " its baseline for " + j.dimension + " " + j.value + risk, e);
            }
            // Only windows with enough replies move the baseline; a rate over a handful is noise.
            j.b.pushbackRateEwma = j.b.pushbackWindows == 0 ? rate
                    : config.baselineAlpha() * rate + (1 - config.baselineAlpha()) * j.b.pushbackRateEwma;
            j.b.pushbackWindows++;
        }

        private void sentimentDecline(final Judge j) {
            final Double shift = j.acc.shiftMean();
            final boolean decline = shift != null && j.acc.shiftCount >= config.sentimentMinConversations()
                    && shift <= config.sentimentDeclineShift();
            if (j.episode(AlertType.SENTIMENT_DECLINE, decline)) {
                final Map<String, String> e = j.evidence();
                e.put("sentiment_shift_mean", Alerts.number(shift));
                e.put("ended_conversations_with_shift", String.valueOf(j.acc.shiftCount));
                e.put("threshold", Alerts.number(config.sentimentDeclineShift()));
                j.raise(AlertType.SENTIMENT_DECLINE, Severity.WARNING, "Conversations in " + j.value
                        + " ended " + Alerts.number(shift) + " more negative than they started, on average",
                        "Conversations in " + j.value + " ended more negative than they started, on average", e);
            }
        }

        private void referralRateDrop(final Judge j) {
            final long resolved = j.acc.resolvedDisclosures();
            final double rate = resolved == 0 ? 1.0 : (double) j.acc.referrals / resolved;
            final boolean drop = resolved >= config.referralMinDisclosures() && rate < config.referralRateThreshold();
            if (j.episode(AlertType.REFERRAL_RATE_DROP, drop)) {
                final Map<String, String> e = j.evidence();
                e.put("referral_rate", Alerts.number(rate));
                e.put("threshold", Alerts.number(config.referralRateThreshold()));
                e.put("disclosures_judged", String.valueOf(resolved));
                e.put("referred", String.valueOf(j.acc.referrals));
                e.put("partial", String.valueOf(j.acc.partialReferrals));
                e.put("missed", String.valueOf(j.acc.missedReferrals));
                j.raise(AlertType.REFERRAL_RATE_DROP, Severity.CRITICAL, "Model " + j.value + " referred "
                        + j.acc.referrals + " of " + resolved + " crisis disclosures to a crisis resource ("
                        + Alerts.number(rate) + ", threshold " + Alerts.number(config.referralRateThreshold()) + ")",
                        "Model " + j.value + " referred fewer crisis disclosures to a crisis resource than the threshold "
                        + Alerts.number(config.referralRateThreshold()), e);
            }
        }

        /** One cell's window under judgement. */
        private final class Judge {
            final Baseline b;
            final String dimension;
            final String value;
            final Instant start;
            final Instant end;
            final CellAccumulator acc;

            Judge(final Baseline b, final String dimension, final String value, final Instant start,
                  final Instant end, final CellAccumulator acc) {
                this.b = b;
                this.dimension = dimension;
                this.value = value;
                this.start = start;
                this.end = end;
                this.acc = acc;
            }

            /** Tracks the episode of {@code type}; true only for the window that opens a new one. */
            boolean episode(final AlertType type, final boolean condition) {
                if (!condition) {
                    b.episodes.remove(type.name());
                    return false;
                }
                return b.episodes.putIfAbsent(type.name(), start.toEpochMilli()) == null;
            }

            Map<String, String> evidence() {
                final Map<String, String> e = new LinkedHashMap<>();
                e.put("dimension", dimension);
                e.put("value", value);
                e.put("window_size", config.alertWindowSpec().label());
                return e;
            }

            /**
             * Raises an alert. Unless the deployment opts in ({@code windowAlertCounts}), the alert
             * carries the rule, cell and window but none of the window's counts, rates or
             * baselines: alert windows overlap the published grid, so their counts minus
             * published cells could isolate a suppressed one. Responders read the counts in the
             * published aggregates.
             */
            void raise(final AlertType type, final Severity severity, final String summary,
                       final String countFreeSummary, final Map<String, String> evidence) {
                if (!config.windowAlertCounts()) {
                    final Map<String, String> kept = new LinkedHashMap<>();
                    for (final String key : COUNT_FREE_EVIDENCE) {
                        if (evidence.containsKey(key)) {
                            kept.put(key, evidence.get(key));
                        }
                    }
                    kept.put("counts", "withheld");
                    emit(type, severity, countFreeSummary, kept);
                } else {
                    emit(type, severity, summary, evidence);
                }
            }

            private void emit(final AlertType type, final Severity severity, final String summary,
                              final Map<String, String> evidence) {
                final String dedupKey = Alerts.dedupKey(type, dimension, value, "from-" + start);
                final SafetyAlert alert = alerts.alert(type, severity, dedupKey, end, start, end, dimension, value,
                        summary, evidence, acc.classifierVersion);
                Metered.safely(() -> metrics.alertRaised(alert));
                context.forward(new Record<>(dedupKey, alert, end.toEpochMilli()));
            }
        }
    }
}
