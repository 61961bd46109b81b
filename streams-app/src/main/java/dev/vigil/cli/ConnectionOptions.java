package dev.vigil.cli;

import dev.vigil.app.EmbeddedStackFile;
import dev.vigil.app.KafkaClientConfig;
import dev.vigil.app.StreamsSettings;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.SchemaRegistryClient;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Where the Kafka cluster and schema registry are, and how to reach them, declared once for every
 * job that connects to a running Vigil ({@code produce}, {@code tail}, {@code simulate},
 * {@code replay}, {@code route-alerts}). With no flags (and no {@code VIGIL_*} variables) they use
 * the embedded stack of a {@code vigil run} started in the same directory, found through its
 * discovery file. Kafka client settings and the registry's auth and TLS settings pass through the
 * same {@code --kafka-config} and {@code KAFKA_*} variables.
 */
public final class ConnectionOptions {
    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default: the running embedded `vigil run`).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url",
            description = "Confluent-compatible schema registry URL (default: the running embedded `vigil run`).")
    String schemaRegistryUrl;

    @Option(names = "--kafka-config", paramLabel = "KEY=VALUE",
            description = "Kafka client setting passed through untouched (repeatable); KAFKA_* variables work too. "
                    + "The schema registry's auth and TLS settings go the same way, under Confluent's names.")
    List<String> kafkaConfig = new ArrayList<>();

    @Option(names = "--data-dir", defaultValue = ".vigil",
            description = "Directory of the embedded stack's data and discovery file (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    /** The environment the {@code KAFKA_*} settings come from; tests give their own. */
    Map<String, String> env = System.getenv();

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

    /** The pass-through settings: {@code KAFKA_*} variables, then {@code --kafka-config} over them. */
    Map<String, String> clientConfig() {
        return KafkaClientConfig.resolve(env, kafkaConfig);
    }

    Properties clientProperties(final EmbeddedStackFile.Stack stack) {
        return StreamsSettings.clientProperties(stack.bootstrapServers(), clientConfig());
    }

    /** The registry client of {@code stack}, with the same auth and TLS settings for every job. */
    SchemaRegistryClient registry(final EmbeddedStackFile.Stack stack) {
        return SchemaRegistries.forUrl(stack.schemaRegistryUrl(), clientConfig());
    }
}
