package dev.vigil.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one node) running inside
 * this JVM: the default of {@code vigil run} when no bootstrap servers are given. It is Kafka's
 * own server, not a fake: transactions, compaction and consumer groups behave as on a cluster,
 * with every replication factor 1.
 *
 * <p>Data lives in a directory that survives restarts, so a second {@code vigil run} resumes
 * where the first stopped. The storage is formatted on first use, as {@code kafka-storage.sh
 * format} would.
 */
public final class EmbeddedKafka implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9092;
    public static final int DEFAULT_CONTROLLER_PORT = 9093;
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final int port;
    private final Path dataDir;

    private EmbeddedKafka(final KafkaRaftServer server, final int port, final Path dataDir) {
        this.server = server;
        this.port = port;
        this.dataDir = dataDir;
    }

    /** Starts a broker on the default ports with data in {@code dataDir}. */
    public static EmbeddedKafka start(final Path dataDir) {
        return start(dataDir, DEFAULT_PORT, DEFAULT_CONTROLLER_PORT, Map.of());
    }

    /**
     * Starts a broker.
     *
     * @param dataDir        where logs and metadata live (created and formatted if new)
     * @param port           client port on 127.0.0.1 (0: any free port)
     * @param controllerPort KRaft controller port on 127.0.0.1 (0: any free port)
     * @param overrides      extra broker settings, applied last
     */
    public static EmbeddedKafka start(final Path dataDir, final int port, final int controllerPort,
                                      final Map<String, String> overrides) {
        final int clientPort = port == 0 ? freePort() : port;
        final int quorumPort = controllerPort == 0 ? freePort() : controllerPort;
        requireFree(clientPort, "broker");
        requireFree(quorumPort, "controller");
        final Properties props = serverProperties(dataDir, clientPort, quorumPort);
        overrides.forEach(props::setProperty);
        final KafkaConfig config = KafkaConfig.fromProps(props, false);
        format(config, dataDir);
        final KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        final EmbeddedKafka kafka = new EmbeddedKafka(server, clientPort, dataDir);
        kafka.awaitListening(Duration.ofSeconds(60));
        return kafka;
    }

    /**
     * Settings of a one-node cluster on which {@code exactly_once_v2} works: every internal
     * topic (offsets, transaction state, share state) with replication factor 1 and min ISR 1.
     */
    static Properties serverProperties(final Path dataDir, final int port, final int controllerPort) {
        final Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.resolve("logs").toAbsolutePath().toString());
        p.setProperty("metadata.log.dir", dataDir.resolve("metadata").toAbsolutePath().toString());
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "5");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "5");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("num.partitions", "3");
        // Vigil creates its topics with the Admin API; a typo in `vigil tail` must not create one.
        p.setProperty("auto.create.topics.enable", "false");
        // One member per group on a laptop: no reason to wait for more before the first rebalance.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Small enough for a laptop: the log cleaner's buffer defaults to 128 MiB.
        p.setProperty("log.cleaner.dedupe.buffer.size", "2097152");
        return p;
    }

    /** Formats the storage directories unless an earlier run already did. */
    private static void format(final KafkaConfig config, final Path dataDir) {
        if (Files.isRegularFile(Path.of(config.metadataLogDir(), "meta.properties"))
                && Files.isRegularFile(dataDir.resolve("logs").resolve("meta.properties"))) {
            // Formatted by an earlier run: keep its cluster id and data.
            return;
        }
        try {
            Files.createDirectories(dataDir);
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            new Formatter()
                    .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setDirectories(List.of(config.metadataLogDir(), dataDir.resolve("logs").toAbsolutePath().toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    // Transactions v1 (explicit AddPartitionsToTxn). With v2 the first
                    // transaction of a fresh Streams app met CONCURRENT_TRANSACTIONS and then
                    // OUT_OF_ORDER_SEQUENCE retries on this one-node broker (they recovered, but
                    // filled the console); v1 showed none. exactly_once_v2 works on either.
                    .setFeatureLevel("transaction.version", (short) 1)
                    .setIgnoreFormatted(true)
                    .run();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private void awaitListening(final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 500);
                return;
            } catch (final IOException e) {
                sleep(100);
            }
        }
        close();
        throw new IllegalStateException("embedded Kafka did not open " + bootstrapServers() + " within " + timeout);
    }

    private static void requireFree(final int port, final String what) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(HOST, port));
        } catch (final IOException e) {
            throw new IllegalStateException("the embedded " + what + " port " + HOST + ":" + port
                    + " is in use (another Kafka or vigil run?); choose another port", e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }
}
