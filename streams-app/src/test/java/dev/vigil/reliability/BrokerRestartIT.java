package dev.vigil.reliability;

import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilApp;
import dev.vigil.broker.EmbeddedKafka;
import dev.vigil.classify.Classifiers;
import dev.vigil.cli.VigilCommand;
import dev.vigil.config.Topics;
import dev.vigil.ingest.EventValidator;
import dev.vigil.it.Scenario;
import dev.vigil.it.TopicRecords;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.EmbeddedSchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.testing.InJvmKafka;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.VigilTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kafka broker stops in the middle of a stream and comes back (same ports, same log
 * directories) while Vigil keeps running: Vigil recovers by itself, with no restart of its own,
 * back to RUNNING, and its outputs (signals, summaries, aggregates, alerts) are record for record
 * those of an uninterrupted run of the same input on a broker that never stopped.
 *
 * <p>About 2 minutes on the 2-core build machine (half of it the reference run), so it runs
 * in the {@code reliability} Maven profile only: {@code ./test.sh -Preliability}.
 *
 * <p>Three input partitions, as {@code vigil run} creates: the reference run reads pre-loaded
 * input at partition-dependent speeds, the restarted one a paced stream cut by the outage, and
 * windows close on every partition's event-time progress, so both agree all the same.
 */
class BrokerRestartIT {
    private static final int PARTITIONS = 3;
    private static final String INPUT = "events-broker-restart";
    private static final Duration BROKER_DOWN = Duration.ofSeconds(10);
    private static final Set<KafkaStreams.State> ALIVE = EnumSet.of(KafkaStreams.State.RUNNING,
            KafkaStreams.State.REBALANCING);

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void shouldRecoverByItselfAndLoseNothingWhenTheBrokerRestartsMidStream() throws Exception {
        final long started = System.nanoTime();
        final List<ConversationEvent> main = new ArrayList<>(Scenario.scripted("restart", UnaryOperator.identity()));
        main.addAll(Scenario.simulated("restart", 1.0, Duration.ofMinutes(15)));
        main.sort(java.util.Comparator.comparing(ConversationEvent::getTimestamp));
        final Path closingJsonl = Scenario.writeJsonl(tmp.resolve("closing.jsonl"), Scenario.closing("restart", PARTITIONS), List.of());

        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0)) {
            final Map<String, List<ConsumerRecord<byte[], byte[]>>> reference;
            try (InJvmKafka kafka = InJvmKafka.start()) {
                final String bootstrap = kafka.bootstrapServers();
                Fixtures.createTopics(bootstrap, INPUT, PARTITIONS);
                send(bootstrap, registry.url(), main, 0, new AtomicInteger());
                try (VigilApp app = app(bootstrap, registry.url(), "vigil-reference")) {
                    app.start();
                    assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "reference run reached RUNNING");
                    reference = finish(bootstrap, registry.url(), "vigil-reference", closingJsonl);
                }
            }
            final long referenceSeconds = (System.nanoTime() - started) / 1_000_000_000L;

            final Path brokerData = tmp.resolve("broker");
            final int port = Fixtures.freePort();
            final int controllerPort = Fixtures.freePort();
            EmbeddedKafka broker = EmbeddedKafka.start(brokerData, port, controllerPort, Map.of());
            final Map<String, List<ConsumerRecord<byte[], byte[]>>> restarted;
            final int atStop;
            final double recoverySeconds;
            try {
                final String bootstrap = broker.bootstrapServers();
                Fixtures.createTopics(bootstrap, INPUT, PARTITIONS);
                try (VigilApp app = app(bootstrap, registry.url(), "vigil-broker-restart")) {
                    app.start();
                    assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "reached RUNNING");
                    // Input keeps arriving at a steady rate, through the outage (the producer
                    // buffers and retries), so the broker stops in the middle of the stream.
                    final AtomicInteger sent = new AtomicInteger();
                    final CompletableFuture<Void> feeding = CompletableFuture.runAsync(() ->
                            send(bootstrap, registry.url(), main, 200, sent));
                    Fixtures.await(Duration.ofSeconds(120), "some signals before the broker stops",
                            () -> sent.get() >= main.size() / 3 && committedSignals(bootstrap) > 0);
                    atStop = sent.get();
                    broker.close();
                    final long downSince = System.nanoTime();
                    while (System.nanoTime() - downSince < BROKER_DOWN.toNanos()) {
                        assertTrue(ALIVE.contains(app.state()), "Vigil keeps running while the broker is down: " + app.state());
                        Thread.sleep(200);
                    }
                    broker = EmbeddedKafka.start(brokerData, port, controllerPort, Map.of());
                    final long back = System.nanoTime();
                    feeding.get(3, TimeUnit.MINUTES);
                    TopicRecords.awaitConsumed(bootstrap, "vigil-broker-restart", INPUT, Duration.ofMinutes(3));
                    recoverySeconds = (System.nanoTime() - back) / 1e9;
                    restarted = finish(bootstrap, registry.url(), "vigil-broker-restart", closingJsonl);
                    assertEquals(KafkaStreams.State.RUNNING, app.state(), "back to RUNNING by itself");
                }
            } finally {
                broker.close();
            }
            assertTrue(atStop < main.size(), "the broker stopped mid-stream: " + atStop + " of " + main.size() + " events sent");

            final String signals = Fixtures.SIGNALS;
            assertEquals(main.size() + PARTITIONS, reference.get(signals).size(), "one signal per event in the reference run");
            for (final String topic : outputTopics()) {
                assertFalse(reference.get(topic).isEmpty(), topic + " has output");
                assertEquals(TopicRecords.multiset(reference.get(topic)), TopicRecords.multiset(restarted.get(topic)),
                        topic + ": the same records, each as often, after the broker restart; differences "
                                + TopicRecords.difference(reference.get(topic), restarted.get(topic)));
            }
            System.out.printf("BrokerRestartIT: broker stopped after %d of %d events were sent, down %d s, input consumed %.1f s "
                            + "after it was back; took %.1f s (reference run %d s); records %s%n", atStop, main.size(),
                    BROKER_DOWN.toSeconds(), recoverySeconds, (System.nanoTime() - started) / 1e9, referenceSeconds,
                    TopicRecords.sizes(reference));
        }
    }

    private static List<String> outputTopics() {
        final MonitoringConfig m = MonitoringConfig.defaults();
        return List.of(m.topic(Topics.MESSAGE_SIGNALS), m.topic(Topics.CONVERSATION_SUMMARIES), m.topic(Topics.AGGREGATES),
                m.topic(Topics.ALERTS));
    }

    private VigilApp app(final String bootstrap, final String registryUrl, final String applicationId) {
        final StreamsSettings settings = new StreamsSettings(applicationId, bootstrap, registryUrl,
                tmp.resolve("state-" + applicationId), 100, (short) 1, PARTITIONS, 1, Map.of());
        return new VigilApp(VigilTopology.build(new VigilTopology.Settings(INPUT,
                new EventValidator(EventValidator.DEFAULT_MAX_TEXT_CHARS), MonitoringConfig.defaults()),
                Classifiers.standard(), VigilSerdes.registry(SchemaRegistries.forUrl(registryUrl, Map.of())),
                SafetyMetrics.noop()), settings);
    }

    /**
     * Sends {@code events} as {@code vigil produce} would (key conversation id, record time = event
     * time, registry-framed Avro), {@code perSecond} at most (0: all at once), counting in {@code sent}.
     */
    private static void send(final String bootstrap, final String registryUrl, final List<ConversationEvent> events,
                             final int perSecond, final AtomicInteger sent) {
        final var serializer = VigilSerdes.registry(SchemaRegistries.forUrl(registryUrl, Map.of()))
                .value(ConversationEvent.class).serializer();
        final long start = System.nanoTime();
        final java.util.concurrent.atomic.AtomicReference<Exception> lost = new java.util.concurrent.atomic.AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer = Fixtures.producer(bootstrap)) {
            for (final ConversationEvent e : events) {
                if (perSecond > 0) {
                    final long due = start + sent.get() * 1_000_000_000L / perSecond;
                    final long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        } catch (final InterruptedException interrupted) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("interrupted while sending input", interrupted);
                        }
                    }
                }
                producer.send(new ProducerRecord<>(INPUT, null, e.getTimestamp().toEpochMilli(), e.getConversationId(),
                        serializer.serialize(INPUT, e)), (metadata, error) -> {
                            if (error != null) {
                                lost.compareAndSet(null, error);
                            }
                        });
                sent.incrementAndGet();
            }
            producer.flush();
        }
        if (lost.get() != null) {
            throw new AssertionError("the test's producer lost input: " + lost.get(), lost.get());
        }
    }

    private static long committedSignals(final String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            final TopicPartition tp = new TopicPartition(Fixtures.SIGNALS, 0);
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get().get(tp).offset();
        }
    }

    private static void produce(final String bootstrap, final String registryUrl, final Path jsonl) {
        final int exit = VigilCommand.commandLine().execute("produce", "--bootstrap-servers", bootstrap,
                "--schema-registry-url", registryUrl, "--input", jsonl.toString(), "--topic", INPUT);
        assertEquals(0, exit, "vigil produce exit code");
    }

    /** Waits for the input to be processed, then sends the closing events and reads the outputs. */
    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> finish(final String bootstrap, final String registryUrl,
                                                                            final String applicationId, final Path closing)
            throws Exception {
        TopicRecords.awaitConsumed(bootstrap, applicationId, INPUT, Duration.ofMinutes(3));
        TopicRecords.readWhenQuiet(bootstrap, outputTopics(), Duration.ofSeconds(3), Duration.ofMinutes(2));
        produce(bootstrap, registryUrl, closing);
        TopicRecords.awaitConsumed(bootstrap, applicationId, INPUT, Duration.ofMinutes(2));
        return TopicRecords.readWhenQuiet(bootstrap, outputTopics(), Duration.ofSeconds(3), Duration.ofMinutes(2));
    }
}
