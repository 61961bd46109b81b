package dev.vigil.ingest;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every line of a load ends sent, dead-lettered with its line number, or blank; records the
 * producer refuses as too large are dead-lettered smaller (never retried as they were), and the
 * dead letters are counted as the stream counts its own.
 */
class JsonlProducerTest {
    private static final String TOPIC = "events";
    private static final String DLQ = "events.dlq";

    /** A producer that refuses, as Kafka does, values over a size per topic, and optionally more. */
    private static final class Broker extends MockProducer<String, byte[]> {
        final Map<String, Integer> limits;
        final Predicate<ProducerRecord<String, byte[]>> unreachable;

        Broker(final Map<String, Integer> limits, final Predicate<ProducerRecord<String, byte[]>> unreachable) {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
            this.limits = limits;
            this.unreachable = unreachable;
        }

        @Override
        public synchronized Future<RecordMetadata> send(final ProducerRecord<String, byte[]> record, final Callback callback) {
            final int size = record.value() == null ? 0 : record.value().length;
            RuntimeException refused = null;
            if (size > limits.getOrDefault(record.topic(), Integer.MAX_VALUE)) {
                refused = new RecordTooLargeException("The message is " + size + " bytes when serialized which is larger "
                        + "than " + limits.get(record.topic()) + ", which is the value of the max.request.size configuration.");
            } else if (unreachable.test(record)) {
                refused = new TimeoutException("Expiring 1 record(s) for " + record.topic() + "-0: 120000 ms has passed");
            }
            if (refused != null) {
                callback.onCompletion(null, refused);
                return CompletableFuture.failedFuture(refused);
            }
            return super.send(record, callback);
        }
    }

    private final VigilSerdes serdes = VigilSerdes.registry(SchemaRegistries.forUrl("mock://jsonl-producer", Map.of()));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ByteArrayOutputStream report = new ByteArrayOutputStream();

    private JsonlProducer.Result load(final Broker broker, final byte[] file) {
        return load(broker, serdes.value(ConversationEvent.class).serializer(), file);
    }

    private JsonlProducer.Result load(final Broker broker, final Serializer<ConversationEvent> serializer, final byte[] file) {
        return new JsonlProducer(broker, serializer, TOPIC, new SafetyMetrics(registry))
                .produce(new ByteArrayInputStream(file), "events.jsonl", new PrintStream(report, true, StandardCharsets.UTF_8));
    }

    private static String header(final ProducerRecord<String, byte[]> r, final String key) {
        return DeadLetters.header(r.headers(), key);
    }

    @Test
    void shouldSendOrDeadLetterEveryLineAndKeepGoingAfterEachBadOne() {
        final BadLines f = new BadLines("p", 7).everyKind();
        final byte[] bigEvent = f.event(f.letters(150_000));
        final byte[] bigJunk = BadLines.ascii("{" + f.letters(150_000));
        final byte[] mediumJunk = BadLines.ascii("{" + f.letters(50_000));
        f.add("an event over the producer's limit", bigEvent, BadLines.Outcome.RECORD_TOO_LARGE).good("after the big event")
                .add("a bad line over the limit", bigJunk, BadLines.Outcome.MALFORMED_JSON).good("after the big bad line")
                .add("a bad line under the limit", mediumJunk, BadLines.Outcome.MALFORMED_JSON).good("the very last");
        final Broker broker = new Broker(Map.of(TOPIC, 100_000, DLQ, 100_000), r -> false);

        final JsonlProducer.Result r = load(broker, f.file(true));

        final List<BadLines.Line> lines = f.lines();
        assertEquals(lines.size(), r.lines(), "every line read");
        assertTrue(r.accountedFor(), r.toString());
        assertTrue(r.complete(), r.toString());
        final Map<Long, ProducerRecord<String, byte[]>> deadByLine = new HashMap<>();
        final List<String> sentIds = new ArrayList<>();
        final var events = serdes.value(ConversationEvent.class).deserializer();
        for (final ProducerRecord<String, byte[]> rec : broker.history()) {
            if (rec.topic().equals(DLQ)) {
                assertNull(deadByLine.put(Long.parseLong(header(rec, DeadLetters.LINE)), rec), "one dead letter a line");
            } else {
                sentIds.add(events.deserialize(TOPIC, rec.value()).getEventId());
            }
        }
        final List<String> expectedIds = new ArrayList<>();
        final Map<String, Long> expectedDead = new java.util.TreeMap<>();
        long blank = 0;
        for (int i = 0; i < lines.size(); i++) {
            final BadLines.Line line = lines.get(i);
            final long number = i + 1;
            switch (line.outcome()) {
                case EVENT -> {
                    expectedIds.add(eventId(line.bytes()));
                    assertFalse(deadByLine.containsKey(number), line.name());
                }
                case BLANK -> blank++;
                default -> {
                    final ProducerRecord<String, byte[]> dead = deadByLine.get(number);
                    assertNotNull(dead, "line " + number + " (" + line.name() + ") is in the dead-letter topic");
                    assertEquals(line.reason(), header(dead, DeadLetters.REASON), line.name());
                    assertEquals("events.jsonl", header(dead, DeadLetters.SOURCE));
                    expectedDead.merge(line.reason(), 1L, Long::sum);
                    final byte[] original = line.bytes().length > 0 && line.bytes()[line.bytes().length - 1] == '\r'
                            ? Arrays.copyOf(line.bytes(), line.bytes().length - 1) : line.bytes();
                    if (original.length <= 100_000) {
                        assertArrayEquals(original, dead.value(), line.name() + ": the raw bytes, as they were");
                        assertNull(header(dead, DeadLetters.ORIGINAL_SIZE));
                    } else {
                        assertEquals(DeadLetters.TRUNCATED_VALUE_BYTES, dead.value().length, line.name());
                        assertArrayEquals(Arrays.copyOf(original, dead.value().length), dead.value());
                        assertEquals(Long.toString(original.length), header(dead, DeadLetters.ORIGINAL_SIZE));
                        assertEquals(DeadLetters.sha256(original, original.length), header(dead, DeadLetters.SHA256));
                    }
                }
            }
        }
        assertEquals(expectedIds, sentIds, "every good line arrived, in file order");
        assertEquals(expectedDead, r.deadLetters());
        assertEquals(deadByLine.size(), r.rejectedLines());
        assertEquals(blank, r.blankLines());
        assertEquals(expectedIds.size(), r.events());
        assertTrue(expectedDead.keySet().containsAll(List.of("invalid-utf8", "record-too-large", "malformed-json")),
                expectedDead.toString());
        // Counted as the stream counts its dead letters: vigil_dead_letters_total{reason}.
        for (final Map.Entry<String, Long> e : expectedDead.entrySet()) {
            final Counter c = registry.find(SafetyMetrics.DEAD_LETTERS).tag("reason", e.getKey()).counter();
            assertNotNull(c, e.getKey());
            assertEquals(e.getValue().doubleValue(), c.count(), e.getKey());
        }
        final String problems = report.toString(StandardCharsets.UTF_8);
        assertTrue(problems.contains("events.jsonl:2: invalid-utf8: not valid UTF-8 at byte"), problems);
        assertTrue(problems.contains(": record-too-large: the event is "), problems);
    }

    @Test
    void shouldFallBackToHeadersAloneWhenEvenTheCutValueIsRefused() {
        final BadLines f = new BadLines("h", 8);
        f.good("one").add("too large event", f.event(f.letters(5_000)), BadLines.Outcome.RECORD_TOO_LARGE)
                .add("too large junk", BadLines.ascii("[" + f.letters(3_000)), BadLines.Outcome.MALFORMED_JSON)
                .add("too large plain text", BadLines.ascii(f.letters(3_000)), BadLines.Outcome.MALFORMED_JSON)
                .good("two");
        final Broker broker = new Broker(Map.of(TOPIC, 2_000, DLQ, 1_000), r -> false);
        final JsonlProducer.Result r = load(broker, f.file(false));
        assertTrue(r.complete() && r.accountedFor(), r.toString());
        assertEquals(2, r.events());
        assertEquals(Map.of("record-too-large", 1L, "malformed-json", 2L), r.deadLetters());
        final List<ProducerRecord<String, byte[]>> dead = broker.history().stream().filter(x -> x.topic().equals(DLQ)).toList();
        assertEquals(3, dead.size(), "each once, however many forms were tried");
        for (final ProducerRecord<String, byte[]> d : dead) {
            final BadLines.Line line = f.lines().get(Integer.parseInt(header(d, DeadLetters.LINE)) - 1);
            assertEquals(0, d.value().length, "the headers alone");
            assertEquals(Long.toString(line.bytes().length), header(d, DeadLetters.ORIGINAL_SIZE));
            assertEquals(DeadLetters.sha256(line.bytes(), line.bytes().length), header(d, DeadLetters.SHA256));
        }
    }

    @Test
    void shouldStopAndNameTheLinesWhenTheBrokerCannotBeWrittenTo() {
        final BadLines f = new BadLines("u", 9);
        for (int i = 0; i < 50; i++) {
            f.good("line " + i);
        }
        final var events = serdes.value(ConversationEvent.class).deserializer();
        // From event u-e10 (line 11) on, the topic cannot be written to.
        final Broker broker = new Broker(Map.of(), rec -> rec.topic().equals(TOPIC)
                && Integer.parseInt(events.deserialize(TOPIC, rec.value()).getEventId().substring(3)) >= 10);
        final JsonlProducer.Result r = load(broker, f.file(true));
        assertFalse(r.complete());
        assertTrue(r.accountedFor(), r.toString());
        assertEquals(10, r.events());
        assertEquals(1, r.failedLines(), "stopped at the first line the broker did not take");
        assertEquals(11, r.stoppedAfter());
        final String problems = report.toString(StandardCharsets.UTF_8);
        assertTrue(problems.contains("events.jsonl:11: not sent: TimeoutException"), problems);
        assertTrue(problems.contains("stopped after line 11"), problems);
    }

    @Test
    void shouldStopAtTheFirstLineThatCannotBeSerialized() {
        final BadLines f = new BadLines("s", 10);
        for (int i = 0; i < 5; i++) {
            f.good("line " + i);
        }
        final Serializer<ConversationEvent> real = serdes.value(ConversationEvent.class).serializer();
        final int[] calls = {0};
        final Serializer<ConversationEvent> flaky = (topic, e) -> {
            if (++calls[0] == 3) {
                throw new IllegalStateException("schema registry unreachable");
            }
            return real.serialize(topic, e);
        };
        final JsonlProducer.Result r = load(new Broker(Map.of(), x -> false), flaky, f.file(true));
        assertEquals(2, r.events());
        assertEquals(1, r.failedLines());
        assertEquals(3, r.stoppedAfter());
        assertTrue(r.accountedFor());
        assertTrue(r.stopReason().contains("schema registry unreachable"), r.stopReason());
    }

    private static String eventId(final byte[] line) {
        final String s = new String(line, StandardCharsets.UTF_8);
        final int i = s.indexOf("\"event_id\": \"") + 13;
        return s.substring(i, s.indexOf('"', i));
    }
}
