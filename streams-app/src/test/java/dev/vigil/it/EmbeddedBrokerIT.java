package dev.vigil.it;

import dev.vigil.broker.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The broker scenarios on Vigil's own embedded broker, the one {@code vigil run} starts: proves
 * its settings carry exactly-once processing on a single node.
 */
class EmbeddedBrokerIT extends BrokerScenarios {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        final Path dir = Files.createTempDirectory("vigil-embedded-kafka");
        kafka = EmbeddedKafka.start(dir, 0, 0, Map.of());
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Override
    protected String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
