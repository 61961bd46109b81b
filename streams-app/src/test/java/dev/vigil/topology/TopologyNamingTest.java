package dev.vigil.topology;

import dev.vigil.config.MonitoringConfig;
import dev.vigil.config.Topics;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.MessageSignals;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every processor, store and internal topic of the monitoring stages has a domain name: a
 * generated name (KSTREAM-AGGREGATE-0000000007) shifts when the topology changes, and the
 * state behind it would be lost on upgrade or not found by a replay.
 */
class TopologyNamingTest {
    @Test
    void shouldNameEveryProcessorStoreAndInternalTopic() {
        final StreamsBuilder builder = new StreamsBuilder();
        MonitoringTopology.build(builder, builder.stream(Topics.MESSAGE_SIGNALS,
                        Consumed.with(Serdes.String(), VigilSerdes.plainAvro().value(MessageSignals.class))
                                .withName("message-signals")),
                MonitoringConfig.defaults(), VigilSerdes.plainAvro(), SafetyMetrics.noop());
        final String description = builder.build().describe().toString();
        assertFalse(description.contains("KSTREAM-"), description);
        assertFalse(description.contains("KTABLE-"), description);
        for (final String name : new String[] {"conversation-state", "conversation-expiry", "aggregate-partials", "aggregate-cells-pt5m",
            "aggregate-cells-pt1h", "alert-baselines", "near-duplicate-buckets", "near-duplicate-bucket-slices",
            "coordinated-abuse-candidates", "coordinated-abuse-campaigns", "safety-alerts-sink"}) {
            assertTrue(description.contains(name), name);
        }
    }
}
