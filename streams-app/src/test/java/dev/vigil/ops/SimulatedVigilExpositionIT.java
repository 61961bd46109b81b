package dev.vigil.ops;

import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exposition a running Kafka Streams instance gives through the Micrometer binder: the
 * stream-thread, consumer-lag and state-store names the Pipeline health dashboard and the
 * alert rules query. Writes it to {@code target/streams-exposition.txt} for reference.
 */
class SimulatedVigilExpositionIT {

    @Test
    void shouldExposeKafkaStreamsClientMetricsNextToTheDomainMetrics(@TempDir final Path dir) throws Exception {
        try (SimulatedVigil vigil = SimulatedVigil.start(dir.resolve("state"))) {
            await("streams running").atMost(Duration.ofSeconds(60)).until(() -> vigil.state() == KafkaStreams.State.RUNNING);
            await("records processed").atMost(Duration.ofSeconds(60))
                    .until(() -> vigil.scrape().contains("kafka_stream_thread_process_total"));
            Thread.sleep(3000);
            final String text = vigil.scrape();
            Files.writeString(Path.of("target/streams-exposition.txt"), text);
            assertTrue(text.contains("kafka_consumer_fetch_manager_records_lag_max"), "consumer lag");
            assertTrue(text.contains("vigil_messages_classified_total"), "domain metrics");
        }
    }
}
