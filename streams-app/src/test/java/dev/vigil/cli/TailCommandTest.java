package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.classify.Classifiers;
import dev.vigil.classify.EventJson;
import dev.vigil.config.Topics;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.testing.Events;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vigil tail} over a mock consumer: where it starts, when it stops, how values print. */
class TailCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TopicPartition ALERTS = new TopicPartition(Topics.ALERTS, 0);
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    /** One second of the command's clock passes on every poll. */
    private final AtomicLong nanos = new AtomicLong();

    private TailCommand parse(final String... args) {
        final TailCommand tail = new TailCommand();
        new CommandLine(tail).setDefaultValueProvider(new EnvironmentDefaults(Map.of())).parseArgs(args);
        tail.clock = nanos::get;
        return tail;
    }

    private MockConsumer<String, byte[]> consumerWithRecords(final int earlier) {
        final MockConsumer<String, byte[]> consumer = new MockConsumer<>("latest");
        consumer.assign(List.of(ALERTS));
        consumer.updateBeginningOffsets(Map.of(ALERTS, 0L));
        consumer.updateEndOffsets(Map.of(ALERTS, (long) earlier));
        for (int i = 0; i < earlier; i++) {
            consumer.addRecord(record(i));
        }
        return consumer;
    }

    private static ConsumerRecord<String, byte[]> record(final long offset) {
        return new ConsumerRecord<>(ALERTS.topic(), ALERTS.partition(), offset, "key-" + offset, new byte[] {1, 2});
    }

    /** Every poll, one more record arrives and a second passes: a topic with live traffic. */
    private void liveTraffic(final MockConsumer<String, byte[]> consumer, final long firstOffset) {
        final AtomicLong next = new AtomicLong(firstOffset);
        final Runnable[] arrive = new Runnable[1];
        arrive[0] = () -> {
            nanos.addAndGet(Duration.ofSeconds(1).toNanos());
            consumer.addRecord(record(next.getAndIncrement()));
            consumer.schedulePollTask(arrive[0]);
        };
        consumer.schedulePollTask(arrive[0]);
    }

    @Test
    void shouldPrintAlertsAlreadyRaisedWithFromBeginning() {
        final long n = parse("alerts", "--from-beginning", "--max", "3").tail(consumerWithRecords(5), List.of(ALERTS),
                null, out);
        assertEquals(3, n);
        assertEquals(List.of(0L, 1L, 2L), offsets());
    }

    @Test
    void shouldStartAtTheEndWithoutFromBeginning() {
        final MockConsumer<String, byte[]> consumer = consumerWithRecords(5);
        liveTraffic(consumer, 5);
        parse("alerts", "--max", "2").tail(consumer, List.of(ALERTS), null, out);
        assertEquals(List.of(5L, 6L), offsets(), "only records that arrived after the start");
    }

    @Test
    void shouldStopAtTheTimeoutUnderLiveTraffic() {
        final MockConsumer<String, byte[]> consumer = consumerWithRecords(0);
        liveTraffic(consumer, 0);
        final TailCommand tail = parse("alerts", "--timeout", "10s");
        final long n = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> tail.tail(consumer, List.of(ALERTS), null, out), "--timeout fires although records keep coming");
        assertTrue(n >= 9 && n <= 11, "about ten seconds of one record a second: " + n);
    }

    @Test
    void shouldStopWhenIdleForTheIdleTimeout() {
        final MockConsumer<String, byte[]> consumer = consumerWithRecords(3);
        final Runnable tick = () -> nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        for (int i = 0; i < 30; i++) {
            consumer.schedulePollTask(tick);
        }
        final TailCommand tail = parse("alerts", "--from-beginning", "--idle-timeout", "5s");
        final long n = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> tail.tail(consumer, List.of(ALERTS), null, out));
        assertEquals(3, n);
        assertTrue(nanos.get() <= Duration.ofSeconds(7).toNanos(), "stopped about 5 s after the last record");
    }

    @Test
    void shouldSpellEnumValuesAsClassifyDoes() throws Exception {
        final MessageSignals s = Classifiers.standard().classify(Events.event("c1", 0, Role.HUMAN,
                "I want to kill myself", T0));
        final VigilSerdes serdes = VigilSerdes.registry(SchemaRegistries.forUrl("mock://tail-test", Map.of()));
        final Serializer<MessageSignals> ser = serdes.value(MessageSignals.class).serializer();
        final byte[] bytes = ser.serialize(Topics.MESSAGE_SIGNALS, s);
        final JsonNode tailed = JSON.readTree(TailCommand.line(new ConsumerRecord<>(Topics.MESSAGE_SIGNALS, 0, 0L,
                "c1", bytes), TailCommand.deserializerFor(Topics.MESSAGE_SIGNALS, serdes)).toString()).path("value");
        final JsonNode classified = EventJson.signals(s);
        for (final String field : List.of("role", "sentiment", "crisis_level", "affective_category", "pushback_reason",
                "referral")) {
            assertEquals(classified.get(field), tailed.get(field), field);
        }
        assertEquals("human", tailed.path("role").asText());
        assertEquals(s.getCrisisLevel().name().toLowerCase(java.util.Locale.ROOT), tailed.path("crisis_level").asText());
    }

    private List<Long> offsets() {
        final List<Long> offsets = new ArrayList<>();
        for (final String line : printed.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                offsets.add(readTree(line).path("offset").asLong());
            }
        }
        return offsets;
    }

    private static JsonNode readTree(final String line) {
        try {
            return JSON.readTree(line);
        } catch (final Exception e) {
            throw new AssertionError(line, e);
        }
    }
}
