package dev.vigil.cli;

import dev.vigil.app.EmbeddedStackFile;
import dev.vigil.config.Topics;
import dev.vigil.ingest.JsonlProducer;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

/**
 * {@code vigil produce}: loads a JSON-lines file of conversation events into the input topic. Every
 * line ends sent, dead-lettered (with its reason and line number) or counted blank, and the summary
 * says how many of each. It is a short-lived job with no {@code /metrics}: its dead letters are
 * counted in the summary and in the dead-letter topic's headers, under the reason codes
 * {@code vigil_dead_letters_total} uses for the stream's own.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Load JSON-lines conversation events into the input topic.",
            "Each event is keyed by its conversation id (a plain string) and sent as Confluent-framed Avro, with its "
                    + "timestamp as record time. Bad lines (not JSON, not an event, not valid UTF-8, too long, or "
                    + "refused by the broker as too large) are reported with their line number and sent to the "
                    + "dead-letter topic, and reading goes on; `vigil classify` reads files by the same rules.",
            "The summary counts the lines sent, dead-lettered (by reason) and blank; the exit code is 1 if any "
                    + "line could not be written to Kafka at all."})
public final class ProduceCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--input", required = true, description = "JSON-lines file of events ('-' for standard input).")
    String input;

    @Option(names = "--topic", defaultValue = Topics.CONVERSATION_EVENTS, description = "Input topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() throws Exception {
        final EmbeddedStackFile.Stack stack = connection.resolve();
        final Properties props = producerProperties(connection.clientProperties(stack));
        final var serde = VigilSerdes.registry(SchemaRegistries.forUrl(stack.schemaRegistryUrl(), connection.clientConfig()))
                .value(ConversationEvent.class);
        final long started = System.nanoTime();
        final String source = "-".equals(input) ? "stdin" : Path.of(input).getFileName().toString();
        try (Producer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
             InputStream in = "-".equals(input) ? System.in : Files.newInputStream(Path.of(input))) {
            final JsonlProducer.Result r = new JsonlProducer(producer, serde.serializer(), topic)
                    .produce(in, source, System.err);
            System.out.println(summary(r, source, topic, (System.nanoTime() - started) / 1e9));
            return r.complete() ? 0 : 1;
        }
    }

    /**
     * {@code events.jsonl: 1200 lines in 3.1 s: 1180 sent to conversation-events, 15 dead-lettered to
     * conversation-events.dlq (malformed-json 12, invalid-utf8 3), 5 blank}, then any lines not sent.
     */
    static String summary(final JsonlProducer.Result r, final String source, final String topic, final double seconds) {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s: %d lines in %.1f s: %d sent to %s, %d dead-lettered to %s.dlq",
                source, r.lines(), seconds, r.events(), topic, r.rejectedLines(), topic));
        if (!r.deadLetters().isEmpty()) {
            final StringJoiner reasons = new StringJoiner(", ", " (", ")");
            r.deadLetters().forEach((reason, n) -> reasons.add(reason + " " + n));
            sb.append(reasons);
        }
        sb.append(", ").append(r.blankLines()).append(" blank");
        if (r.failedLines() > 0) {
            sb.append("; ").append(r.failedLines()).append(" not sent (see above)");
        }
        if (r.stopReason() != null) {
            sb.append("; stopped after line ").append(r.stoppedAfter()).append(", the rest was not read");
        }
        return sb.toString();
    }

    /** Idempotent and fully acknowledged: a retry never duplicates or reorders events. */
    static Properties producerProperties(final Properties base) {
        final Properties p = new Properties();
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putAll(base);
        return p;
    }
}
