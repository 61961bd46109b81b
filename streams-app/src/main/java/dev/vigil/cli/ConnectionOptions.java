package dev.vigil.cli;

import dev.vigil.app.EmbeddedStackFile;
import dev.vigil.app.KafkaClientConfig;
import dev.vigil.app.StreamsSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Where the Kafka cluster and schema registry are, shared by {@code produce}, {@code tail} and
 * {@code simulate}. With no flags (and no {@code VIGIL_*} variables) they use the embedded stack
 * of a {@code vigil run} started in the same directory, found through its discovery file.
 */
public final class ConnectionOptions {
    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default: the running embedded `vigil run`).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Confluent-compatible schema registry URL (default: the running embedded `vigil run`).")
    String schemaRegistryUrl;

    @Option(names = "--kafka-config", paramLabel = "KEY=VALUE",
            description = "Kafka client setting passed through untouched (repeatable); KAFKA_* variables work too.")
    List<String> kafkaConfig = new ArrayList<>();

    @Option(names = "--data-dir", defaultValue = ".vigil",
            description = "Directory of the embedded stack's data and discovery file (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    /** Bootstrap servers and registry URL, from flags or the running embedded stack. */
    EmbeddedStackFile.Stack resolve() {
        if (bootstrapServers != null && schemaRegistryUrl != null) {
            return new EmbeddedStackFile.Stack(bootstrapServers, schemaRegistryUrl);
        }
        final var embedded = EmbeddedStackFile.read(dataDir);
        if (embedded.isEmpty()) {
            throw new IllegalArgumentException("no running embedded `vigil run` found in " + dataDir.toAbsolutePath()
                    + "; start one, or give --bootstrap-servers and --schema-registry-url");
        }
        return new EmbeddedStackFile.Stack(bootstrapServers != null ? bootstrapServers : embedded.get().bootstrapServers(),
                schemaRegistryUrl != null ? schemaRegistryUrl : embedded.get().schemaRegistryUrl());
    }

    Map<String, String> clientConfig() {
        return KafkaClientConfig.resolve(System.getenv(), kafkaConfig);
    }

    Properties clientProperties(final EmbeddedStackFile.Stack stack) {
        return StreamsSettings.clientProperties(stack.bootstrapServers(), clientConfig());
    }
}
