package dev.vigil.abuse;

import dev.vigil.privacy.Pseudonyms;
import dev.vigil.cli.RunCommand;
import dev.vigil.config.Topics;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.simulate.TrafficSimulator;
import dev.vigil.config.MonitoringConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import static dev.vigil.topology.MonitoringDriver.human;

/**
 * Test fixture: the coordinated-abuse stage alone in a {@link TopologyTestDriver}, fed human
 * messages (from the traffic simulator or hand-built), with its alerts read back. With a state
 * directory it keeps its stores on disk, and {@link #restart()} closes it and opens it again on
 * the same state, as a restarted application would find it.
 */
final class AbuseStageDriver implements AutoCloseable {
    private final MonitoringConfig config;
    private final Path stateDir;
    private final VigilSerdes serdes = VigilSerdes.plainAvro();
    private final Topology topology;
    private TopologyTestDriver driver;
    private TestInputTopic<String, MessageSignals> in;
    private TestOutputTopic<String, SafetyAlert> out;
    private final List<SafetyAlert> alerts = new ArrayList<>();

    /** With in-memory stores. */
    AbuseStageDriver(final MonitoringConfig config) {
        this(config, null);
    }

    /** With persistent stores under {@code stateDir} (or in memory if null). */
    AbuseStageDriver(final MonitoringConfig config, final Path stateDir) {
        this.config = config.toBuilder().persistentStores(stateDir != null).build();
        this.stateDir = stateDir;
        final StreamsBuilder builder = new StreamsBuilder();
        final KStream<String, MessageSignals> signals = builder.stream(Topics.MESSAGE_SIGNALS,
                Consumed.with(Serdes.String(), serdes.value(MessageSignals.class)));
        CoordinatedAbuseStage.build(builder, signals, this.config, SafetyMetrics.noop())
                .to(Topics.ALERTS, Produced.with(Serdes.String(), serdes.value(SafetyAlert.class)));
        this.topology = builder.build();
        open();
    }

    /** The settings {@code vigil run --demo} uses (package-private there, so read reflectively). */
    static MonitoringConfig demoSettings() {
        try {
            final Method m = RunCommand.class.getDeclaredMethod("demoConfig");
            m.setAccessible(true);
            return ((MonitoringConfig.Builder) m.invoke(null)).build();
        } catch (final ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private void open() {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "vigil-abuse-stage-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        if (stateDir == null) {
            props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG,
                    BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class.getName());
        } else {
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        }
        driver = new TopologyTestDriver(topology, props);
        in = driver.createInputTopic(Topics.MESSAGE_SIGNALS, Serdes.String().serializer(),
                serdes.value(MessageSignals.class).serializer());
        out = driver.createOutputTopic(Topics.ALERTS, Serdes.String().deserializer(),
                serdes.value(SafetyAlert.class).deserializer());
    }

    MonitoringConfig config() {
        return config;
    }

    void send(final MessageSignals s) {
        in.pipeInput(s.getConversationId(), s, s.getEventTime());
    }

    /** A simulated human message, fingerprinted as the classifier would. */
    void send(final ConversationEvent e) {
        send(human(e.getConversationId(), e.getAccountId(), e.getTurn(), e.getTimestamp())
                .setEventId(e.getEventId()).setSimhash(SimHash.ofText(e.getText())).build());
    }

    /** A message nobody else sends, far later: event time passes every open window. */
    void advanceStreamTime(final Instant to) {
        send(human("clock-" + to.toEpochMilli(), "clock-account", 0, to)
                .setSimhash(to.toEpochMilli() * 0x9E3779B97F4A7C15L).build());
    }

    /** Every alert so far, in the order sent. */
    List<SafetyAlert> alerts() {
        alerts.addAll(out.readValuesToList());
        return List.copyOf(alerts);
    }

    /**
     * Stops and starts again with the state intact: the stores on disk are copied aside while
     * open (the driver commits, so flushes, after every record; closing would delete them), the
     * driver is closed, and a new one opens on the copy, as Kafka Streams restores a task's stores.
     */
    void restart() {
        if (stateDir == null) {
            throw new IllegalStateException("a restart with state needs persistent stores");
        }
        alerts();
        final Path saved = stateDir.resolveSibling(stateDir.getFileName() + "-saved");
        copy(stateDir, saved);
        driver.close();
        delete(stateDir);
        copy(saved, stateDir);
        delete(saved);
        open();
    }

    private static void copy(final Path from, final Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (final Path f : files.toList()) {
                final Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().equals("LOCK") && !f.getFileName().toString().endsWith(".lock")) {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (final Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.close();
    }

    /**
     * Simulated demo traffic: its human messages, in event-time order, and the pseudonymous
     * accounts of the simulator's planted campaign (its ground truth), to tell campaign alerts
     * from alerts on ordinary prompts.
     */
    record Demo(List<ConversationEvent> humans, Set<String> campaignAccounts, Instant campaignStart) {
        static Demo simulate(final long seed, final Instant start, final double rate, final java.time.Duration span,
                             final MonitoringConfig config) {
            final Set<String> campaignConversations = new HashSet<>();
            final TrafficSimulator sim = new TrafficSimulator(seed, start, rate, span)
                    .onConversation((id, kind) -> {
                        if (kind == TrafficSimulator.Kind.CAMPAIGN) {
                            campaignConversations.add(id);
                        }
                    });
            final Pseudonyms pseudonyms = new Pseudonyms(config.pseudonymKey());
            final List<ConversationEvent> humans = new ArrayList<>();
            final Set<String> campaign = new HashSet<>();
            Instant campaignStart = null;
            while (sim.hasNext()) {
                final ConversationEvent e = sim.next();
                if (e.getRole() != Role.HUMAN) {
                    continue;
                }
                humans.add(e);
                if (campaignConversations.contains(e.getConversationId())) {
                    campaign.add(pseudonyms.pseudonym(e.getAccountId()));
                    if (campaignStart == null) {
                        campaignStart = e.getTimestamp();
                    }
                }
            }
            return new Demo(humans, campaign, campaignStart);
        }

        /** Whether {@code a} names any of the campaign's accounts. */
        boolean isCampaign(final SafetyAlert a) {
            return List.of(a.getEvidence().get("account_sample").split(",")).stream().anyMatch(campaignAccounts::contains);
        }
    }
}
