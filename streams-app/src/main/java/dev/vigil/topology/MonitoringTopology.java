package dev.vigil.topology;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.MessageSignals;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The monitoring stages that follow classification: conversation state, windowed aggregates,
 * coordinated-abuse detection and alerts. They see signals only, never text.
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
        // Filled in by the monitoring-topology work (conversation, aggregate, abuse, alert).
    }
}
