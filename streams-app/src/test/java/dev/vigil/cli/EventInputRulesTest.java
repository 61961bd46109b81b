package dev.vigil.cli;

import dev.vigil.classify.Classifiers;
import dev.vigil.classify.Commands;
import dev.vigil.ingest.DeadLetters;
import dev.vigil.ingest.EventValidator;
import dev.vigil.ingest.JsonlProducer;
import dev.vigil.ingest.Rejection;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code vigil produce} and {@code vigil classify} read the same JSONL file by the same rules: a
 * line classify skips is exactly a line that produce dead-letters or that the stream's validator
 * then dead-letters, for the same reason.
 */
class EventInputRulesTest {
    private static final int MAX_TEXT = 100;

    private static String event(final int line, final String fields) {
        return "{\"event_id\": \"c1:" + line + "\", \"conversation_id\": \"c1\", \"turn\": " + line + ", " + fields + "}";
    }

    private static final String OK = "\"account_id\": \"a1\", \"role\": \"HUMAN\", \"text\": \"hello there\", "
            + "\"timestamp\": \"2026-01-05T09:00:00Z\"";

    @Test
    void shouldSkipInClassifyExactlyWhatProduceAndTheStreamDeadLetter(@TempDir final Path dir) throws Exception {
        final List<String> lines = List.of(
                event(1, OK),
                event(2, OK.replace("\"account_id\": \"a1\", ", "")),
                event(3, OK.replace("\"2026-01-05T09:00:00Z\"", "1767603600000")),
                event(4, OK.replace("HUMAN", "MODERATOR")),
                "{broken",
                "",
                event(7, OK.replace("hello there", "x".repeat(MAX_TEXT + 1))),
                event(8, OK.replace("HUMAN", "assistant")),
                event(9, OK).replace("\"turn\": 9", "\"turn\": \"nine\""),
                event(10, OK.replace("\"2026-01-05T09:00:00Z\"", "\"yesterday\"")));
        final Path input = dir.resolve("events.jsonl");
        Files.write(input, lines);

        final ByteArrayOutputStream report = new ByteArrayOutputStream();
        Commands.classify(Classifiers.standard(), new EventValidator(MAX_TEXT), input, dir.resolve("signals.jsonl"),
                null, new PrintStream(report, true, StandardCharsets.UTF_8));
        final Map<Long, String> skippedByClassify = new TreeMap<>();
        final Matcher m = Pattern.compile("line (\\d+) skipped: ([a-z-]+):").matcher(report.toString(StandardCharsets.UTF_8));
        while (m.find()) {
            skippedByClassify.put(Long.parseLong(m.group(1)), m.group(2));
        }

        final VigilSerdes serdes = VigilSerdes.registry(SchemaRegistries.forUrl("mock://input-rules", Map.of()));
        final MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());
        new JsonlProducer(producer, serdes.value(ConversationEvent.class).serializer(), "events")
                .produce(new BufferedReader(new StringReader(String.join("\n", lines))), "events.jsonl",
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        final Deserializer<ConversationEvent> events = serdes.value(ConversationEvent.class).deserializer();
        final EventValidator stream = new EventValidator(MAX_TEXT);
        final Map<Long, String> deadLettered = new TreeMap<>();
        for (final ProducerRecord<String, byte[]> r : producer.history()) {
            if (r.topic().equals("events.dlq")) {
                deadLettered.put(Long.parseLong(DeadLetters.header(r.headers(), DeadLetters.LINE)),
                        DeadLetters.header(r.headers(), DeadLetters.REASON));
            } else {
                final ConversationEvent e = events.deserialize(r.topic(), r.value());
                final Rejection rejection = stream.check(e);
                if (rejection != null) {
                    deadLettered.put((long) e.getTurn(), rejection.reason().code());
                }
            }
        }

        assertEquals(Map.of(2L, "missing-field", 4L, "unknown-enum", 5L, "malformed-json", 7L, "oversize-text",
                9L, "invalid-field", 10L, "invalid-field"), deadLettered);
        assertEquals(deadLettered, skippedByClassify);
    }
}
