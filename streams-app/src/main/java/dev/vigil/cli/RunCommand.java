package dev.vigil.cli;

import dev.vigil.app.EmbeddedStackFile;
import dev.vigil.app.KafkaClientConfig;
import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilApp;
import dev.vigil.app.VigilTopics;
import dev.vigil.broker.EmbeddedKafka;
import dev.vigil.classify.Classifiers;
import dev.vigil.classify.MessageClassifier;
import dev.vigil.config.Topics;
import dev.vigil.ingest.EventValidator;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.EmbeddedSchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.simulate.TrafficProducer;
import dev.vigil.simulate.TrafficSimulator;
import dev.vigil.topology.MonitoringConfig;
import dev.vigil.topology.VigilTopology;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vigil run}: the monitor. With no {@code --bootstrap-servers} it brings up its own
 * stack in-process (a real single-node Kafka broker and a schema registry served over HTTP),
 * so a newcomer needs nothing else; with them, it joins an existing cluster.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the safety monitor. Without --bootstrap-servers it starts an embedded Kafka broker",
            "and schema registry in this process; --demo also feeds it simulated traffic."})
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", description = "Kafka to join (default: start an embedded broker).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url",
            description = "Confluent-compatible schema registry (default with the embedded broker: an embedded one).")
    String schemaRegistryUrl;

    @Option(names = "--kafka-config", paramLabel = "KEY=VALUE",
            description = "Kafka client setting passed through untouched (repeatable); KAFKA_* variables work too.")
    List<String> kafkaConfig = new ArrayList<>();

    @Option(names = "--application-id", defaultValue = StreamsSettings.DEFAULT_APPLICATION_ID,
            description = "Kafka Streams application id (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--data-dir", defaultValue = ".vigil",
            description = "Embedded broker data, local state and discovery file (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--state-dir", description = "Kafka Streams state directory (default: <data-dir>/state).")
    Path stateDir;

    @Option(names = "--input-topic", defaultValue = Topics.CONVERSATION_EVENTS, description = "Input topic (default: ${DEFAULT-VALUE}).")
    String inputTopic;

    @Option(names = "--commit-interval-ms", defaultValue = "" + StreamsSettings.DEFAULT_COMMIT_INTERVAL_MS,
            description = "Transaction commit interval; bounds input-to-output latency (default: ${DEFAULT-VALUE}).")
    long commitIntervalMs;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the topics Vigil creates (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "-1",
            description = {"Replication factor of the topics Vigil creates, internal ones too",
                "(default: the broker's default.replication.factor; 1 on the embedded broker)."})
    short replicationFactor;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-text-chars", defaultValue = "" + EventValidator.DEFAULT_MAX_TEXT_CHARS,
            description = "Longer messages go to the dead-letter topic (default: ${DEFAULT-VALUE}).")
    int maxTextChars;

    @Option(names = "--broker-port", defaultValue = "" + EmbeddedKafka.DEFAULT_PORT, description = "Embedded broker port (default: ${DEFAULT-VALUE}).")
    int brokerPort;

    @Option(names = "--controller-port", defaultValue = "" + EmbeddedKafka.DEFAULT_CONTROLLER_PORT,
            description = "Embedded KRaft controller port (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Embedded schema registry port (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--keep-data", description = {"Keep the embedded broker's data and local state from the last run.",
        "Off by default: the embedded registry keeps schemas in memory, so an earlier run's records",
        "would carry schema ids the new registry does not know."})
    boolean keepData;

    @Option(names = "--demo", description = "Also run the traffic simulator against this monitor.")
    boolean demo;

    @Option(names = "--demo-rate", defaultValue = "20", description = "Simulated events per second with --demo (default: ${DEFAULT-VALUE}).")
    double demoRate;

    @Option(names = "--demo-duration", defaultValue = "1h", converter = DurationConverter.class,
            description = "How long the demo traffic runs (default: ${DEFAULT-VALUE}).")
    Duration demoDuration;

    @Option(names = "--demo-seed", defaultValue = "42", description = "Seed of the demo traffic (default: ${DEFAULT-VALUE}).")
    long demoSeed;

    /** Things to close on shutdown, last started first closed. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        // The embedded broker's log goes beside its data (read by log4j2.xml when logging starts,
        // which is after this point: nothing has logged yet).
        if (System.getProperty("vigil.broker.log") == null) {
            System.setProperty("vigil.broker.log", dataDir.resolve("broker.log").toString());
        }
        // Ctrl-C or SIGTERM: close in reverse order of start (demo traffic, Streams with its last
        // commit, registry, broker). The main thread is waiting in app.awaitStop() meanwhile.
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "vigil-shutdown-hook"));
        try {
            final boolean embedded = bootstrapServers == null;
            String bootstrap = bootstrapServers;
            String registryUrl = schemaRegistryUrl;
            if (embedded) {
                if (!keepData) {
                    // A fresh stack each run: the registry's ids live only as long as this process.
                    deleteRecursively(dataDir.resolve("kafka"));
                    deleteRecursively(stateDir != null ? stateDir : dataDir.resolve("state"));
                }
                out.println("Starting the embedded Kafka broker (data in " + dataDir.resolve("kafka")
                        + (keepData ? ", kept from the last run" : ", fresh") + ") ...");
                final EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), brokerPort, controllerPort, Map.of());
                started.push(kafka);
                bootstrap = kafka.bootstrapServers();
                if (registryUrl == null) {
                    final EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(EmbeddedKafka.HOST, registryPort);
                    started.push(registry);
                    registryUrl = registry.url();
                }
            } else if (registryUrl == null) {
                throw new IllegalArgumentException("--schema-registry-url is required with --bootstrap-servers");
            }

            final Map<String, String> clientConfig = KafkaClientConfig.resolve(System.getenv(), kafkaConfig);
            final StreamsSettings settings = new StreamsSettings(applicationId, bootstrap, registryUrl,
                    stateDir != null ? stateDir : dataDir.resolve("state"), commitIntervalMs, replicationFactor,
                    partitions, threads, clientConfig);
            final MonitoringConfig monitoring = MonitoringConfig.defaults();
            final var created = VigilTopics.ensure(settings.clientProperties(),
                    VigilTopics.topics(inputTopic, monitoring, partitions, replicationFactor));

            final VigilSerdes serdes = VigilSerdes.registry(SchemaRegistries.forUrl(registryUrl, clientConfig));
            final MessageClassifier classifier = Classifiers.standard();
            final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            final SafetyMetrics metrics = new SafetyMetrics(meters);
            final VigilTopology.Settings topologySettings = new VigilTopology.Settings(inputTopic,
                    new EventValidator(maxTextChars), monitoring);
            final VigilApp app = new VigilApp(VigilTopology.build(topologySettings, classifier, serdes, metrics), settings);
            started.push(app);
            app.start();
            if (embedded) {
                EmbeddedStackFile.write(dataDir, new EmbeddedStackFile.Stack(bootstrap, registryUrl));
                started.push(() -> EmbeddedStackFile.delete(dataDir));
            }
            if (!app.awaitRunning(Duration.ofMinutes(2))) {
                throw new IllegalStateException("Kafka Streams did not reach RUNNING (state " + app.state() + ")");
            }
            if (demo) {
                startDemo(bootstrap, clientConfig, serdes);
            }
            printWelcome(out, embedded, bootstrap, registryUrl, settings, monitoring, classifier, created.size());
            app.awaitStop();
            return app.state() == org.apache.kafka.streams.KafkaStreams.State.ERROR ? 1 : 0;
        } catch (final RuntimeException e) {
            System.err.println("vigil run: " + e.getMessage());
            closeAll();
            return 1;
        }
    }

    private void startDemo(final String bootstrap, final Map<String, String> clientConfig, final VigilSerdes serdes) {
        final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                ProduceCommand.producerProperties(StreamsSettings.clientProperties(bootstrap, clientConfig)),
                new StringSerializer(), new ByteArraySerializer());
        final TrafficProducer traffic = new TrafficProducer(
                new TrafficSimulator(demoSeed, Instant.now(), demoRate, demoDuration), producer,
                serdes.value(ConversationEvent.class).serializer(), inputTopic, true, Clock.systemUTC());
        final Thread thread = new Thread(traffic, "vigil-demo-traffic");
        thread.setDaemon(true);
        thread.start();
        started.push(() -> {
            traffic.stop();
            thread.interrupt();
            thread.join(5_000);
            producer.close(Duration.ofSeconds(5));
        });
    }

    private void printWelcome(final PrintStream out, final boolean embedded, final String bootstrap,
                              final String registryUrl, final StreamsSettings settings, final MonitoringConfig monitoring,
                              final MessageClassifier classifier, final int createdTopics) {
        final String flags = embedded ? "" : " --bootstrap-servers " + bootstrap + " --schema-registry-url " + registryUrl;
        out.println();
        out.println("Vigil is running (application id " + settings.applicationId() + ", exactly_once_v2, classifier "
                + classifier.version() + ").");
        out.println("  Kafka:            " + bootstrap + (embedded ? "  (embedded, data in " + dataDir.resolve("kafka")
                + ", log " + dataDir.resolve("broker.log") + ")" : ""));
        out.println("  Schema registry:  " + registryUrl + (embedded ? "  (embedded)" : ""));
        out.println("  Topics created:   " + createdTopics);
        out.println("  Input:            " + inputTopic + "   load events:  ./vigil produce --input events.jsonl" + flags);
        if (demo) {
            out.println("  Demo traffic:     " + demoRate + " events/s from the simulator (seed " + demoSeed + ")");
        }
        out.println("  Outputs (tail them in another terminal):");
        out.println("    ./vigil tail signals" + flags + "      " + monitoring.topic(Topics.MESSAGE_SIGNALS));
        out.println("    ./vigil tail alerts" + flags + "       " + monitoring.topic(Topics.ALERTS));
        out.println("    ./vigil tail aggregates" + flags + "   " + monitoring.topic(Topics.AGGREGATES));
        out.println("    ./vigil tail summaries" + flags + "    " + monitoring.topic(Topics.CONVERSATION_SUMMARIES));
        out.println("    ./vigil tail dlq" + flags + "          " + inputTopic + ".dlq (rejected input, with reasons)");
        out.println("  Metrics:          Micrometer/Prometheus registry in this process (names in dev.vigil.metrics.SafetyMetrics)");
        out.println("Stop with Ctrl-C.");
        out.flush();
    }

    private static void deleteRecursively(final Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(dir)) {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    private synchronized void closeAll() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (final Exception e) {
                System.err.println("while stopping: " + e.getMessage());
            }
        }
    }
}
