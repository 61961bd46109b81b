package dev.vigil.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.MetadataVersion;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A real single-node KRaft broker in the test JVM (Kafka's own test kit, combined
 * broker+controller, replication factor 1), for ITs that need a broker and no Docker.
 */
public final class InJvmKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private InJvmKafka(final KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /**
     * Starts the broker, formatted like Vigil's embedded broker ({@code EmbeddedKafka}): the
     * latest production metadata version and transactions v1. The test kit's default is an
     * unreleased metadata version with transactions v2, on which a fresh exactly-once app's first
     * commits logged CONCURRENT_TRANSACTIONS / OUT_OF_ORDER_SEQUENCE retries; the tests should run
     * on what users run. Time retention is off: scenarios are stamped in the past, and retention
     * counts from the record timestamp.
     */
    public static InJvmKafka start() throws Exception {
        return start(new TestKitNodes.Builder(BootstrapMetadata.fromVersions(MetadataVersion.LATEST_PRODUCTION,
                Map.of("transaction.version", (short) 1), "vigil-it")));
    }

    private static InJvmKafka start(final TestKitNodes.Builder nodes) throws Exception {
        final KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("log.retention.ms", "-1")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (final Exception e) {
            cluster.close();
            throw e;
        }
        return new InJvmKafka(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
    }

    public void createTopics(final int partitions, final String... names) throws Exception {
        try (Admin admin = admin()) {
            final List<NewTopic> topics = Arrays.stream(names)
                    .map(n -> new NewTopic(n, partitions, (short) 1)).toList();
            admin.createTopics(topics).all().get();
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
