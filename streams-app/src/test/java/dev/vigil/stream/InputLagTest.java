package dev.vigil.stream;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A quiet task may report itself idle (letting readers close windows without it) only when its
 * consumer has fetched its input and found nothing waiting.
 */
class InputLagTest {
    private static final String APP = "input-lag-test";
    private final Map<MetricName, Metric> metrics = new HashMap<>();

    @AfterEach
    void unregister() {
        InputLag.unregister(APP);
    }

    @Test
    void shouldSeeTheBacklogOfATopicWhoseNameHasDots() {
        register();
        lag("safety.message-signals", 1, 250);

        assertFalse(InputLag.caughtUp(APP, Set.of("safety.message-signals"), 1));
        assertTrue(InputLag.caughtUp(APP, Set.of("safety.message-signals"), 0), "another partition's backlog");
    }

    @Test
    void shouldNotCallATaskCaughtUpBeforeItsConsumerHasFetchedItsInput() {
        register();
        assertFalse(InputLag.caughtUpBeforeFirstRecord(APP, 0, 2), "nothing fetched yet: a slow start, not an empty partition");

        lag("safety.message-signals", 2, 0);
        assertTrue(InputLag.caughtUpBeforeFirstRecord(APP, 0, 2), "fetched and empty");

        lag("safety.message-signals", 2, 40);
        assertFalse(InputLag.caughtUpBeforeFirstRecord(APP, 0, 2));
    }

    private void register() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("safety.message-signals", Consumed.with(Serdes.String(), Serdes.String()))
                .to("elsewhere");
        final Topology topology = builder.build();
        InputLag.register(APP, () -> metrics, topology.describe());
    }

    private void lag(final String topic, final int partition, final double lag) {
        // As the consumer tags its partition metrics: dots in topic names become underscores.
        final MetricName name = new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
                Map.of("topic", topic.replace('.', '_'), "partition", String.valueOf(partition), "client-id", "c"));
        metrics.put(name, new Metric() {
            @Override
            public MetricName metricName() {
                return name;
            }

            @Override
            public Object metricValue() {
                return lag;
            }
        });
    }
}
