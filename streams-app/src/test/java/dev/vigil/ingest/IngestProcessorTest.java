package dev.vigil.ingest;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import dev.vigil.serde.SchemaRegistryException;
import dev.vigil.testing.Events;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How ingest tells a registry outage (wait, never dead-letter) from a record the registry rejects. */
class IngestProcessorTest {
    private static final ConversationEvent EVENT = Events.event("c1", 0, Role.HUMAN, "hello there",
            Instant.parse("2026-03-02T10:00:00Z"));

    /** What ingest made of each input record: "valid" or "rejected:<reason>". */
    private static List<String> ingest(final Deserializer<ConversationEvent> deserializer) {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .processValues(() -> new IngestProcessor(deserializer, new EventValidator(), SafetyMetrics.noop()),
                        Named.as("ingest"))
                .mapValues(i -> i.isValid() ? "valid" : "rejected:" + i.rejection().reason().code(), Named.as("outcome"))
                .to("out", Produced.with(Serdes.String(), Serdes.String()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build())) {
            final TestInputTopic<String, byte[]> in = driver.createInputTopic("in", Serdes.String().serializer(),
                    Serdes.ByteArray().serializer());
            final TestOutputTopic<String, String> out = driver.createOutputTopic("out", Serdes.String().deserializer(),
                    Serdes.String().deserializer());
            in.pipeInput("c1", new byte[] {0, 0, 0, 0, 7}, EVENT.getTimestamp());
            return out.readValuesToList();
        }
    }

    @Test
    void shouldWaitForAnUnavailableRegistryAndNotDeadLetterTheRecord() {
        final AtomicInteger attempts = new AtomicInteger();
        final long started = System.nanoTime();
        final List<String> outcome = ingest((topic, bytes) -> {
            if (attempts.incrementAndGet() <= 2) {
                throw new SchemaRegistryException("cannot fetch schema id 7: unreachable", new ConnectException("refused"));
            }
            return EVENT;
        });
        assertEquals(List.of("valid"), outcome, "read once the registry answered, not dead-lettered");
        assertEquals(3, attempts.get());
        assertTrue(System.nanoTime() - started >= 2_000_000_000L, "waited between attempts");
    }

    @Test
    void shouldDeadLetterARecordWhoseSchemaIdTheRegistryDoesNotKnow() {
        final AtomicInteger attempts = new AtomicInteger();
        final List<String> outcome = ingest((topic, bytes) -> {
            attempts.incrementAndGet();
            throw new SchemaRegistryException("schema id 7 not found", 404, SchemaRegistryException.SCHEMA_NOT_FOUND);
        });
        assertEquals(List.of("rejected:undeserializable"), outcome);
        assertEquals(1, attempts.get(), "an answer about the record is not retried");
    }
}
