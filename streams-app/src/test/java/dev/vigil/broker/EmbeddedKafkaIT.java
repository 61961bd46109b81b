package dev.vigil.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedKafkaIT {
    @TempDir
    Path data;

    private static Set<String> topics(final EmbeddedKafka kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldKeepItsTopicsAcrossARestartOnTheSameDataDirectory() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(data, 0, 0, Map.of())) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
        }
        try (EmbeddedKafka again = EmbeddedKafka.start(data, 0, 0, Map.of())) {
            assertTrue(topics(again).contains("kept"), "a second run finds the first run's topic");
        }
    }
}
