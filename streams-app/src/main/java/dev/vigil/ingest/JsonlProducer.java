package dev.vigil.ingest;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Loads JSON-lines conversation events into the input topic: keyed by conversation id, with the
 * event's own timestamp as record time. Every line ends in exactly one place, by its line number:
 * sent to the topic, dead-lettered to {@code <topic>.dlq} with its reason, or counted blank; only
 * a broker that cannot be written to at all leaves lines unsent, and those are reported by number.
 *
 * <ul>
 *   <li>A line that cannot become an event (not JSON, not an object, a field missing, not valid
 *       UTF-8, too long to read whole) goes to the dead-letter topic with its raw bytes and
 *       {@code vigil.dlq.line}; reading goes on with the next line.</li>
 *   <li>An event the producer or broker refuses as too large goes there too, as
 *       {@code record-too-large}: never retried, since it can never fit.</li>
 *   <li>A dead letter that is itself too large keeps its first {@value DeadLetters#TRUNCATED_VALUE_BYTES}
 *       bytes with {@code vigil.dlq.original.size} and {@code vigil.dlq.sha256} of the whole line;
 *       if even that is refused, the headers alone go. Each step is tried once.</li>
 * </ul>
 * Dead letters are counted in {@code vigil_dead_letters_total{reason}} when the broker has taken
 * them, with the reason codes the streaming job counts its own under.
 */
public final class JsonlProducer {
    /** Failed lines named one by one in the report; past this only their count. */
    static final int FAILED_LINES_REPORTED = 20;

    private final Producer<String, byte[]> producer;
    private final Serializer<ConversationEvent> serializer;
    private final String topic;
    private final String deadLetterTopic;
    private final SafetyMetrics metrics;

    public JsonlProducer(final Producer<String, byte[]> producer, final Serializer<ConversationEvent> serializer,
                         final String topic) {
        this(producer, serializer, topic, SafetyMetrics.noop());
    }

    public JsonlProducer(final Producer<String, byte[]> producer, final Serializer<ConversationEvent> serializer,
                         final String topic, final SafetyMetrics metrics) {
        this.producer = producer;
        this.serializer = serializer;
        this.topic = topic;
        this.deadLetterTopic = topic + ".dlq";
        this.metrics = metrics;
    }

    /**
     * What a load did, counted when the broker acknowledged each record.
     *
     * @param lines         lines read (blank ones included)
     * @param events        lines sent to the topic
     * @param deadLetters   lines dead-lettered, by reason code
     * @param blankLines    blank lines, skipped
     * @param failedLines   lines neither sent nor dead-lettered because the broker could not be written to
     * @param stoppedAfter  0, or the last line read before the load stopped (see {@link #stopReason})
     * @param stopReason    why the load stopped before the end of the input, or null
     */
    public record Result(long lines, long events, Map<String, Long> deadLetters, long blankLines, long failedLines,
                         long stoppedAfter, String stopReason) {
        /** Lines dead-lettered, all reasons. */
        public long rejectedLines() {
            return deadLetters.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Records the broker did not take (the same as {@link #failedLines()}). */
        public long sendFailures() {
            return failedLines;
        }

        /** Whether every line read ended sent, dead-lettered, blank or failed, once. */
        public boolean accountedFor() {
            return events + rejectedLines() + blankLines + failedLines == lines;
        }

        /** Whether the whole input is in Kafka: every line sent, dead-lettered or blank. */
        public boolean complete() {
            return failedLines == 0 && stopReason == null;
        }
    }

    /** Loads text already decoded (tests, embedding); see {@link EventReader#EventReader(java.io.Reader)}. */
    public Result produce(final BufferedReader lines, final String source, final PrintStream report) {
        return produce(new EventReader(lines), source, report);
    }

    /** Loads the bytes of a JSON-lines file. */
    public Result produce(final InputStream in, final String source, final PrintStream report) {
        return produce(new EventReader(in), source, report);
    }

    /**
     * Sends every line of {@code reader}; problems go to {@code report} as
     * {@code source:line: reason: error}. Waits until everything is acknowledged.
     */
    public Result produce(final EventReader reader, final String source, final PrintStream report) {
        final Load load = new Load(source, report);
        EventReader.Line line;
        long stoppedAfter = 0;
        String stopReason = null;
        try {
            while ((line = reader.next()) != null) {
                if (line.ok()) {
                    final byte[] value;
                    try {
                        value = serializer.serialize(topic, line.event());
                    } catch (final RuntimeException e) {
                        // Not the line's fault (the schema registry, most likely): the rest would fail alike.
                        load.failed(line.number(), e);
                        stoppedAfter = line.number();
                        stopReason = "could not serialize line " + line.number() + ": " + describe(e);
                        break;
                    }
                    load.send(line, value);
                } else {
                    report.printf("%s:%d: %s (sent to %s)%n", source, line.number(), line.error(), deadLetterTopic);
                    load.deadLetter(new DeadLetter(line.number(), line.conversationId(), line.bytes(), line.size(),
                            line.truncated() ? line.sha256() : null, line.rejection(),
                            line.truncated() ? Stage.TRUNCATED : Stage.WHOLE));
                }
                load.retryRefused();
                if (load.firstFailure.get() != null) {
                    // The broker refuses records for a reason other than their size: every later
                    // line would fail the same way after the same wait.
                    stoppedAfter = line.number();
                    stopReason = "the broker did not take line " + load.firstFailedLine.get() + ": "
                            + describe(load.firstFailure.get());
                    break;
                }
            }
        } catch (final IOException e) {
            load.settle();
            throw new UncheckedIOException("cannot read " + source + " after line " + reader.lineNumber(), e);
        }
        load.settle();
        if (load.failed.get() > 0) {
            report.printf("%s: %d lines could not be sent%s; first error: %s%n", source, load.failed.get(),
                    load.failed.get() > FAILED_LINES_REPORTED ? " (the first " + FAILED_LINES_REPORTED + " are named above)"
                            : "", describe(load.firstFailure.get()));
        }
        if (stopReason != null) {
            report.printf("%s: stopped after line %d: %s%n", source, stoppedAfter, stopReason);
        }
        final Map<String, Long> dead = new TreeMap<>();
        load.deadLettered.forEach((reason, n) -> dead.put(reason, n.sum()));
        return new Result(reader.lineNumber(), load.sent.sum(), Collections.unmodifiableMap(dead), reader.blankLines(),
                load.failed.get(), stoppedAfter, stopReason);
    }

    /** How much of a dead letter's original goes into its value. */
    private enum Stage {
        /** All of it. */
        WHOLE,
        /** Its first {@link DeadLetters#TRUNCATED_VALUE_BYTES} bytes, with its size and hash. */
        TRUNCATED,
        /** Nothing: the headers alone (size, hash, reason, line). */
        HEADERS_ONLY;

        Stage smaller() {
            return this == WHOLE ? TRUNCATED : HEADERS_ONLY;
        }
    }

    /** A line on its way to the dead-letter topic. {@code sha256} is that of the whole line, if known. */
    private record DeadLetter(long line, String key, byte[] bytes, long size, String sha256, Rejection rejection,
                              Stage stage) {
        /** The next smaller form; a line no longer than a truncated value goes straight to headers only. */
        DeadLetter smaller() {
            final Stage next = stage == Stage.WHOLE && bytes.length <= DeadLetters.TRUNCATED_VALUE_BYTES
                    ? Stage.HEADERS_ONLY : stage.smaller();
            return new DeadLetter(line, key, bytes, size, sha256 != null ? sha256 : DeadLetters.sha256(bytes, bytes.length),
                    rejection, next);
        }
    }

    /** The counts and the refused records of one load; callbacks run on the producer's thread. */
    private final class Load {
        final String source;
        final PrintStream report;
        final LongAdder sent = new LongAdder();
        final Map<String, LongAdder> deadLettered = new ConcurrentHashMap<>();
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<Exception> firstFailure = new AtomicReference<>();
        final AtomicLong firstFailedLine = new AtomicLong();
        /** Dead letters to send again, smaller, because the broker refused them as too large. */
        final ConcurrentLinkedQueue<DeadLetter> refused = new ConcurrentLinkedQueue<>();

        Load(final String source, final PrintStream report) {
            this.source = source;
            this.report = report;
        }

        void send(final EventReader.Line line, final byte[] value) {
            final ConversationEvent e = line.event();
            final byte[] bytes = line.bytes();
            final long number = line.number();
            final String key = e.getConversationId();
            final int serialized = value.length;
            send(new ProducerRecord<>(topic, null, e.getTimestamp().toEpochMilli(), key, value), number, (meta, ex) -> {
                if (ex == null) {
                    sent.increment();
                } else if (ex instanceof RecordTooLargeException) {
                    final Rejection r = new Rejection(DeadLetterReason.RECORD_TOO_LARGE, "the event is " + serialized
                            + " bytes serialized, more than the producer or broker takes: " + ex.getMessage());
                    report.printf("%s:%d: %s: %s (sent to %s)%n", source, number, r.reason().code(), r.error(),
                            deadLetterTopic);
                    refused.add(new DeadLetter(number, key, bytes, bytes.length, null, r, Stage.TRUNCATED));
                } else {
                    failed(number, ex);
                }
            });
        }

        void deadLetter(final DeadLetter d) {
            final byte[] value = switch (d.stage()) {
                case WHOLE -> d.bytes();
                case TRUNCATED -> DeadLetters.head(d.bytes(), d.bytes().length, DeadLetters.TRUNCATED_VALUE_BYTES);
                case HEADERS_ONLY -> new byte[0];
            };
            final Headers headers = DeadLetters.fromFile(d.rejection().reason(), d.rejection().error(), source, d.line());
            if (d.stage() != Stage.WHOLE) {
                DeadLetters.truncated(headers, d.size(),
                        d.sha256() != null ? d.sha256() : DeadLetters.sha256(d.bytes(), d.bytes().length));
            }
            send(new ProducerRecord<>(deadLetterTopic, null, null, d.key(), value, headers), d.line(), (meta, ex) -> {
                if (ex == null) {
                    final String reason = d.rejection().reason().code();
                    deadLettered.computeIfAbsent(reason, k -> new LongAdder()).increment();
                    metrics.deadLetter(reason);
                } else if (ex instanceof RecordTooLargeException && d.stage() != Stage.HEADERS_ONLY) {
                    refused.add(d.smaller());
                } else {
                    failed(d.line(), ex);
                }
            });
        }

        /** Sends; a producer that throws instead of calling back (closed, interrupted) fails the line. */
        private void send(final ProducerRecord<String, byte[]> record, final long line, final Callback callback) {
            try {
                producer.send(record, callback);
            } catch (final KafkaException | IllegalStateException e) {
                failed(line, e);
            }
        }

        /** Sends again, smaller, what was refused as too large (each record at most twice more). */
        void retryRefused() {
            DeadLetter d;
            while ((d = refused.poll()) != null) {
                deadLetter(d);
            }
        }

        /** Waits until every record, retried ones included, is acknowledged or failed. */
        void settle() {
            do {
                retryRefused();
                producer.flush();
            } while (!refused.isEmpty());
        }

        void failed(final long line, final Exception ex) {
            if (failed.incrementAndGet() <= FAILED_LINES_REPORTED) {
                report.printf("%s:%d: not sent: %s%n", source, line, describe(ex));
            }
            if (firstFailure.compareAndSet(null, ex)) {
                firstFailedLine.set(line);
            }
        }
    }

    private static String describe(final Exception e) {
        if (e == null) {
            return "";
        }
        final String message = e.getMessage() == null ? "" : ": " + e.getMessage();
        final String text = e.getClass().getSimpleName() + message;
        return text.length() > 300 ? text.substring(0, 300) : text;
    }
}
