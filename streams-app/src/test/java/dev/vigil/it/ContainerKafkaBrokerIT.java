package dev.vigil.it;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The broker scenarios on Apache Kafka in a container, where Docker exists. Without Docker the
 * whole class is skipped, and reported as skipped, not passed.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaBrokerIT extends BrokerScenarios {
    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.2")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");

    @Override
    protected String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
