package dev.vigil.ops;

import dev.vigil.http.CurrentAggregates;
import dev.vigil.http.RecentAlerts;
import dev.vigil.http.VigilHttpServer;
import dev.vigil.metrics.SafetyTrafficFixture;
import dev.vigil.metrics.VigilMetrics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * TEST DOUBLE for the Vigil application while {@code dev.vigil.app} is being built: a real Kafka
 * Streams instance on the in-JVM broker (a keyed count with a named store, so stream-thread,
 * consumer-lag and state-store metrics exist), bound to a {@link VigilMetrics} registry, whose
 * {@link dev.vigil.metrics.SafetyMetrics} are fed realistic calls by {@link SafetyTrafficFixture},
 * served by the real {@link VigilHttpServer} on 127.0.0.1.
 *
 * <p>Once the application exists, the full-stack IT starts it instead (see
 * {@code FullStackObservabilityIT#startVigilWithSimulatedTraffic}).
 */
final class SimulatedVigil implements AutoCloseable {
    private final InJvmKafka kafka;
    private final VigilMetrics metrics;
    private final KafkaStreams streams;
    private final VigilHttpServer http;
    private final KafkaProducer<String, String> producer;
    private final ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();

    private SimulatedVigil(final InJvmKafka kafka, final VigilMetrics metrics, final KafkaStreams streams,
                           final VigilHttpServer http, final KafkaProducer<String, String> producer) {
        this.kafka = kafka;
        this.metrics = metrics;
        this.streams = streams;
        this.http = http;
        this.producer = producer;
    }

    static SimulatedVigil start(final Path stateDir) throws Exception {
        final InJvmKafka kafka = InJvmKafka.start();
        VigilMetrics metrics = null;
        try {
            kafka.createTopics(2, "sim-events", "sim-counts");
            metrics = VigilMetrics.create();
            final StreamsBuilder builder = new StreamsBuilder();
            builder.stream("sim-events", Consumed.with(Serdes.String(), Serdes.String()).withName("sim-events-source"))
                    .groupByKey(Grouped.as("sim-by-conversation"))
                    .count(Named.as("sim-count"), Materialized.as("sim-conversation-counts"))
                    .toStream(Named.as("sim-count-changes"))
                    .to("sim-counts", Produced.with(Serdes.String(), Serdes.Long()).withName("sim-counts-sink"));
            final Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "vigil-sim");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir).toString());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
            props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            props.put(StreamsConfig.METRICS_RECORDING_LEVEL_CONFIG, "INFO");
            props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
            props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
            final KafkaStreams streams = new KafkaStreams(builder.build(), props);
            metrics.bindKafkaStreams(streams);
            streams.start();
            final VigilHttpServer http = VigilHttpServer.start("127.0.0.1", 0, metrics::scrape, streams::state,
                    new RecentAlerts(), new CurrentAggregates());
            final KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new StringSerializer());
            final SimulatedVigil vigil = new SimulatedVigil(kafka, metrics, streams, http, producer);
            vigil.startTraffic();
            return vigil;
        } catch (final Exception e) {
            if (metrics != null) {
                metrics.close();
            }
            kafka.close();
            throw e;
        }
    }

    private void startTraffic() {
        final SafetyTrafficFixture fixture = new SafetyTrafficFixture(metrics.safety(), 42);
        final java.util.concurrent.atomic.AtomicInteger ticks = new java.util.concurrent.atomic.AtomicInteger();
        traffic.scheduleAtFixedRate(() -> {
            try {
                if (ticks.getAndIncrement() % 20 == 1) {
                    // A GC now and then, so the GC pause series exist as in any long-running JVM.
                    System.gc();
                }
                fixture.conversations(25, Instant.now());
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>("sim-events", "c" + (i % 17), "{}"));
                }
            } catch (final RuntimeException e) {
                // Keep the traffic flowing; a failed tick shows up as missing data in the IT.
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
    }

    int httpPort() {
        return http.port();
    }

    KafkaStreams.State state() {
        return streams.state();
    }

    String scrape() {
        return metrics.scrape();
    }

    @Override
    public void close() throws Exception {
        traffic.shutdownNow();
        traffic.awaitTermination(5, TimeUnit.SECONDS);
        producer.close();
        http.close();
        streams.close(java.time.Duration.ofSeconds(10));
        metrics.close();
        kafka.close();
    }
}
