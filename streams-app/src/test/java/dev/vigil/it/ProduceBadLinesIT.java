package dev.vigil.it;

import dev.vigil.cli.VigilCommand;
import dev.vigil.ingest.BadLines;
import dev.vigil.ingest.DeadLetters;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.InMemorySchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.testing.InJvmKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vigil produce} on a real broker with a file full of bad lines: every kind of invalid
 * UTF-8 at the start, middle and end of lines, NUL bytes, JSON that is not one event object,
 * blank lines, a line longer than the reader holds, events the broker refuses (over the topic's
 * {@code max.message.bytes}) and the producer refuses (over {@code max.request.size}), and bad
 * lines too large for the dead-letter topic. Every line must end sent, dead-lettered with its
 * line number and reason, or blank; every good line after a bad one must arrive; the summary
 * must say so. (Before, the first invalid UTF-8 line ended the load with a stack trace, and
 * a record over the size limit was neither sent nor dead-lettered.)
 */
class ProduceBadLinesIT {
    /** Of the input topic: events over it are refused by the broker, not the producer (1 MiB). */
    private static final int TOPIC_MAX_BYTES = 200_000;
    /** Of the dead-letter topic: a bad line over it is dead-lettered cut to 64 KiB. */
    private static final int DLQ_MAX_BYTES = 100_000;

    private static InJvmKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = InJvmKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldSendOrDeadLetterEveryLineOfTheFile(@TempDir final Path dir) throws Exception {
        final String suffix = UUID.randomUUID().toString().substring(0, 8);
        final String topic = "events-" + suffix;
        final String registry = "mock://produce-" + suffix;
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(
                    new NewTopic(topic, 2, (short) 1).configs(Map.of("max.message.bytes", "" + TOPIC_MAX_BYTES)),
                    new NewTopic(topic + ".dlq", 1, (short) 1).configs(Map.of("max.message.bytes", "" + DLQ_MAX_BYTES))))
                    .all().get();
        }
        final BadLines f = new BadLines(suffix, 42).everyKind();
        f.add("event over the topic's limit", f.event(f.letters(300_000)), BadLines.Outcome.RECORD_TOO_LARGE)
                .good("after the event over the topic's limit")
                .add("event over the producer's limit", f.event(f.letters(5_000_000)), BadLines.Outcome.RECORD_TOO_LARGE)
                .good("after the 5 MB event")
                .add("bad line over the dead-letter topic's limit", BadLines.ascii("{" + f.letters(150_000)),
                        BadLines.Outcome.MALFORMED_JSON)
                .good("after the big bad line")
                .add("invalid UTF-8 over the producer's limit", BadLines.concat(f.event(f.letters(2_000_000)),
                        new byte[] {(byte) 0xC0, (byte) 0xAF}), BadLines.Outcome.INVALID_UTF8)
                .good("after the big invalid line")
                .add("line longer than the reader holds", BadLines.ascii(f.letters(9 * 1024 * 1024)),
                        BadLines.Outcome.OVERSIZE_LINE)
                .good("the very last line");
        final Path input = dir.resolve("events.jsonl");
        Files.write(input, f.file(true));

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        final PrintStream stderr = System.err;
        final int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = VigilCommand.commandLine().execute("produce", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--schema-registry-url", registry, "--topic", topic, "--input", input.toString());
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        final String summary = out.toString(StandardCharsets.UTF_8);
        final String problems = err.toString(StandardCharsets.UTF_8);
        System.out.println(summary);
        assertEquals(0, exit, summary + problems);

        final List<BadLines.Line> lines = f.lines();
        final List<String> expectedIds = new ArrayList<>();
        final Map<Long, BadLines.Line> expectedDead = new TreeMap<>();
        final Map<String, Long> byReason = new TreeMap<>();
        long blank = 0;
        for (int i = 0; i < lines.size(); i++) {
            final BadLines.Line line = lines.get(i);
            switch (line.outcome()) {
                case EVENT -> expectedIds.add(eventId(line.bytes()));
                case BLANK -> blank++;
                default -> {
                    expectedDead.put(i + 1L, line);
                    byReason.merge(line.reason(), 1L, Long::sum);
                }
            }
        }
        assertEquals(lines.size(), expectedIds.size() + expectedDead.size() + blank);
        final StringBuilder reasons = new StringBuilder();
        byReason.forEach((reason, n) -> reasons.append(reasons.length() == 0 ? " (" : ", ").append(reason).append(' ').append(n));
        assertTrue(summary.contains("events.jsonl: " + lines.size() + " lines in "), summary);
        assertTrue(summary.contains(expectedIds.size() + " sent to " + topic + ", " + expectedDead.size()
                + " dead-lettered to " + topic + ".dlq" + reasons + "), " + blank + " blank"), summary);

        final var events = VigilSerdes.registry(SchemaRegistries.forUrl(registry, Map.of()))
                .value(ConversationEvent.class).deserializer();
        final Map<String, List<String>> sentByConversation = new HashMap<>();
        for (final ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(kafka.bootstrapServers(), topic, false)) {
            final ConversationEvent e = events.deserialize(topic, r.value());
            assertEquals(e.getConversationId(), new String(r.key(), StandardCharsets.UTF_8));
            sentByConversation.computeIfAbsent(e.getConversationId(), k -> new ArrayList<>()).add(e.getEventId());
        }
        final Map<String, List<String>> expectedByConversation = new HashMap<>();
        for (final String id : expectedIds) {
            final int n = Integer.parseInt(id.substring(id.lastIndexOf("-e") + 2));
            expectedByConversation.computeIfAbsent(suffix + "-c" + (n % 7), k -> new ArrayList<>()).add(id);
        }
        assertEquals(expectedByConversation, sentByConversation, "every good line arrived once, in order per conversation");

        final Map<Long, ConsumerRecord<byte[], byte[]>> dead = new TreeMap<>();
        for (final ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(kafka.bootstrapServers(), topic + ".dlq", false)) {
            assertNull(dead.put(Long.parseLong(header(r.headers(), DeadLetters.LINE)), r), "one dead letter a line");
        }
        assertEquals(expectedDead.keySet(), dead.keySet(), "the dead letters are exactly the bad lines");
        for (final Map.Entry<Long, BadLines.Line> e : expectedDead.entrySet()) {
            final ConsumerRecord<byte[], byte[]> r = dead.get(e.getKey());
            final BadLines.Line line = e.getValue();
            assertEquals(line.reason(), header(r.headers(), DeadLetters.REASON), line.name());
            assertEquals("events.jsonl", header(r.headers(), DeadLetters.SOURCE));
            final byte[] original = line.bytes();
            if (original.length < DLQ_MAX_BYTES - 1000 && line.outcome() != BadLines.Outcome.RECORD_TOO_LARGE) {
                assertArrayEquals(original, r.value(), line.name() + ": its raw bytes");
            } else {
                assertEquals(DeadLetters.TRUNCATED_VALUE_BYTES, r.value().length, line.name() + ": cut");
                assertArrayEquals(Arrays.copyOf(original, r.value().length), r.value(), line.name());
                assertEquals(Long.toString(original.length), header(r.headers(), DeadLetters.ORIGINAL_SIZE), line.name());
                assertEquals(DeadLetters.sha256(original, original.length), header(r.headers(), DeadLetters.SHA256),
                        line.name());
            }
            assertTrue(problems.contains("events.jsonl:" + e.getKey() + ": " + line.reason()), line.name() + "\n" + problems);
        }
        assertNotNull(byReason.get("record-too-large"));
        InMemorySchemaRegistry.drop(registry.substring("mock://".length()));
    }

    private static String header(final Headers headers, final String key) {
        return DeadLetters.header(headers, key);
    }

    private static String eventId(final byte[] line) {
        final String s = new String(line, StandardCharsets.UTF_8);
        final int i = s.indexOf("\"event_id\": \"") + 13;
        return s.substring(i, s.indexOf('"', i));
    }
}
