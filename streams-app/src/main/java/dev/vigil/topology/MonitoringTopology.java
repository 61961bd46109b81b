package dev.vigil.topology;

import dev.vigil.config.MonitoringConfig;
import dev.vigil.privacy.PublishedIds;
import dev.vigil.abuse.CoordinatedAbuseStage;
import dev.vigil.aggregate.AggregateStage;
import dev.vigil.aggregate.CellAccumulator;
import dev.vigil.alert.WindowAlertRules;
import dev.vigil.config.Topics;
import dev.vigil.conversation.ConversationStage;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Windowed;

import java.util.Map;

/**
 * The monitoring stages that follow classification: conversation state, windowed aggregates,
 * coordinated-abuse detection and alerts. They see signals only, never text.
 *
 * <p>Everything runs in event time and every processor, store and internal topic has a domain
 * name, so a replay of the same signals yields the same summaries, aggregates and alerts (alert
 * ids are derived from dedup keys), and state survives topology changes.
 */
public final class MonitoringTopology {
    private MonitoringTopology() {
    }

    /**
     * Adds the monitoring stages, reading the signals stream produced by the classification
     * stage, and writing to the output topics named by {@code config}.
     */
    public static void build(final StreamsBuilder builder, final KStream<String, MessageSignals> signals,
                             final MonitoringConfig config, final VigilSerdes serdes,
                             final SafetyMetrics metrics) {
        final ConversationStage.Outputs conversation = ConversationStage.build(builder, signals, config, serdes,
                metrics);
        final PublishedIds ids = config.publishedIds();
        conversation.summaries()
                .map((key, summary) -> org.apache.kafka.streams.KeyValue.pair(ids.conversation(key), ids.summary(summary)),
                        org.apache.kafka.streams.kstream.Named.as("conversation-summaries-published"))
                .to(config.topic(Topics.CONVERSATION_SUMMARIES),
                Produced.with(Serdes.String(), serdes.value(ConversationSummary.class))
                        .withName("conversation-summaries-sink"));

        final Map<String, KStream<Windowed<String>, CellAccumulator>> cells =
                AggregateStage.build(conversation.contributions(), config, serdes, metrics);
        final KStream<String, SafetyAlert> windowAlerts = WindowAlertRules.build(builder,
                cells.get(AggregateStage.label(config.alertWindowSpec())), config, metrics);

        final KStream<String, SafetyAlert> abuseAlerts = CoordinatedAbuseStage.build(builder, signals, config, metrics);

        conversation.alerts()
                .merge(windowAlerts, Named.as("referral-and-window-alerts"))
                .merge(abuseAlerts, Named.as("all-safety-alerts"))
                .to(config.topic(Topics.ALERTS), Produced.with(Serdes.String(), serdes.value(SafetyAlert.class))
                        .withName("safety-alerts-sink"));
    }
}
