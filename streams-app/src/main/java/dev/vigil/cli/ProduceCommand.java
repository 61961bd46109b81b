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

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code vigil produce}: loads a JSON-lines file of conversation events into the input topic. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Load JSON-lines conversation events into the input topic.",
            "Each event is keyed by its conversation id (a plain string) and sent as Confluent-framed Avro, with its "
                    + "timestamp as record time. Bad lines are reported with their line number and sent to the "
                    + "dead-letter topic; `vigil classify` reads files by the same rules."})
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
             BufferedReader reader = "-".equals(input)
                     ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                     : Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8)) {
            final JsonlProducer.Result r = new JsonlProducer(producer, serde.serializer(), topic)
                    .produce(reader, source, System.err);
            final double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("sent %d events to %s in %.1f s; %d bad lines sent to %s.dlq%s%n", r.events(), topic,
                    seconds, r.rejectedLines(), topic, r.sendFailures() > 0 ? "; " + r.sendFailures() + " send failures" : "");
            return r.sendFailures() > 0 ? 1 : 0;
        }
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
