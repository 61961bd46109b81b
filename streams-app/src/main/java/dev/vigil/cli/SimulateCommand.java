package dev.vigil.cli;

import dev.vigil.config.Topics;
import dev.vigil.ingest.JsonEvents;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.simulate.TrafficProducer;
import dev.vigil.simulate.TrafficSimulator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;

/** {@code vigil simulate}: realistic synthetic conversation traffic, to Kafka or to a file. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Generate realistic synthetic conversation traffic.",
            "Mostly task use, a few percent affective conversations, occasional crisis disclosures with and without "
                    + "referral, and a planted coordinated campaign. Deterministic with --seed (and --start)."})
public final class SimulateCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--rate", defaultValue = "20", description = "Events per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "Event time to generate, e.g. 90s, 10m (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--start", description = "Event time of the first event, ISO-8601 (default: now).")
    Instant start;

    @Option(names = "--output", description = "Write JSON lines to this file instead of producing to Kafka.")
    Path output;

    @Option(names = "--fast", description = "Produce as fast as possible instead of in real time (event times unchanged).")
    boolean fast;

    @Option(names = "--topic", defaultValue = Topics.CONVERSATION_EVENTS, description = "Input topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() throws Exception {
        final Instant first = start != null ? start : Instant.now().truncatedTo(ChronoUnit.SECONDS);
        final TrafficSimulator simulator = new TrafficSimulator(seed, first, rate, duration);
        if (output != null) {
            long n = 0;
            try (BufferedWriter w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                while (simulator.hasNext()) {
                    w.write(JsonEvents.toJson(simulator.next()));
                    w.newLine();
                    n++;
                }
            }
            System.out.printf("wrote %d events to %s (seed %d, start %s)%n", n, output, seed, first);
            return 0;
        }
        final var stack = connection.resolve();
        final var serializer = VigilSerdes.registry(SchemaRegistries.forUrl(stack.schemaRegistryUrl(), connection.clientConfig()))
                .value(ConversationEvent.class).serializer();
        try (Producer<String, byte[]> producer = new KafkaProducer<>(
                ProduceCommand.producerProperties(connection.clientProperties(stack)),
                new StringSerializer(), new ByteArraySerializer())) {
            final TrafficProducer traffic = new TrafficProducer(simulator, producer, serializer, topic, !fast, Clock.systemUTC());
            final Thread hook = new Thread(traffic::stop, "vigil-simulate-shutdown-hook");
            Runtime.getRuntime().addShutdownHook(hook);
            final long t0 = System.nanoTime();
            traffic.run();
            System.out.printf("sent %d events to %s in %.1f s (seed %d, start %s)%n", traffic.sent(), topic,
                    (System.nanoTime() - t0) / 1e9, seed, first);
            if (traffic.failure() != null) {
                System.err.println("send failed: " + traffic.failure().getMessage());
                return 1;
            }
            return 0;
        }
    }
}
