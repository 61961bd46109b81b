package dev.vigil.it;

import dev.vigil.testing.InJvmKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The broker scenarios on Kafka's own in-JVM KRaft test cluster: one combined broker and
 * controller, replication factors 1 (so exactly-once transactions work on one node).
 */
class InJvmBrokerIT extends BrokerScenarios {
    private static InJvmKafka kafka;

    @BeforeAll
    static void startCluster() throws Exception {
        kafka = InJvmKafka.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Override
    protected String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
