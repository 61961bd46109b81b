package dev.vigil.ingest;

import dev.vigil.schema.ConversationEvent;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Loads JSON-lines conversation events into the input topic: keyed by conversation id, with the
 * event's own timestamp as record time. A line that cannot become an event is reported with its
 * line number and sent to the dead-letter topic with its reason, never dropped.
 */
public final class JsonlProducer {
    private final Producer<String, byte[]> producer;
    private final Serializer<ConversationEvent> serializer;
    private final String topic;
    private final String deadLetterTopic;

    public JsonlProducer(final Producer<String, byte[]> producer, final Serializer<ConversationEvent> serializer,
                         final String topic) {
        this.producer = producer;
        this.serializer = serializer;
        this.topic = topic;
        this.deadLetterTopic = topic + ".dlq";
    }

    /** What a load did. */
    public record Result(long events, long rejectedLines, long blankLines, long sendFailures) {
    }

    /**
     * Sends every line of {@code lines}; problems go to {@code report} as
     * {@code source:line: reason: error}. Waits until everything is acknowledged.
     */
    public Result produce(final BufferedReader lines, final String source, final PrintStream report) {
        final EventReader reader = new EventReader(lines);
        long events = 0;
        long rejected = 0;
        final AtomicLong failures = new AtomicLong();
        final AtomicReference<Exception> firstFailure = new AtomicReference<>();
        EventReader.Line line;
        try {
            while ((line = reader.next()) != null) {
                if (line.ok()) {
                    final ConversationEvent e = line.event();
                    final byte[] value = serializer.serialize(topic, e);
                    producer.send(new ProducerRecord<>(topic, null, e.getTimestamp().toEpochMilli(),
                            e.getConversationId(), value), (meta, ex) -> failed(ex, failures, firstFailure));
                    events++;
                } else {
                    final Rejection r = line.rejection();
                    report.printf("%s:%d: %s (sent to %s)%n", source, line.number(), line.error(), deadLetterTopic);
                    producer.send(new ProducerRecord<>(deadLetterTopic, null, null, line.conversationId(),
                            line.raw().getBytes(StandardCharsets.UTF_8),
                            DeadLetters.fromFile(r.reason(), r.error(), source, line.number())),
                            (meta, ex) -> failed(ex, failures, firstFailure));
                    rejected++;
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + source + " after line " + reader.lineNumber(), e);
        }
        producer.flush();
        if (firstFailure.get() != null) {
            report.printf("%d records could not be sent; first error: %s%n", failures.get(), firstFailure.get().getMessage());
        }
        return new Result(events, rejected, reader.blankLines(), failures.get());
    }

    private static void failed(final Exception ex, final AtomicLong failures, final AtomicReference<Exception> first) {
        if (ex != null) {
            failures.incrementAndGet();
            first.compareAndSet(null, ex);
        }
    }
}
