package dev.vigil.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Kafka client settings that pass through Vigil untouched, so TLS, SASL and any other client
 * option work without Vigil knowing about them. They come from {@code KAFKA_*} environment
 * variables (the streams-bootstrap convention: {@code KAFKA_SECURITY_PROTOCOL} becomes
 * {@code security.protocol}) and from repeated {@code --kafka-config key=value} flags, which win.
 */
public final class KafkaClientConfig {
    /** Variables Kafka's own shell scripts read: they configure a JVM, not a client. */
    private static final Set<String> SCRIPT_VARIABLES = Set.of("KAFKA_HOME", "KAFKA_OPTS", "KAFKA_HEAP_OPTS",
            "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_JMX_OPTS",
            "KAFKA_DEBUG", "KAFKA_CLUSTER_ID", "KAFKA_VERSION");

    private KafkaClientConfig() {
    }

    /** The pass-through settings: environment first, then the flags over it. */
    public static Map<String, String> resolve(final Map<String, String> env, final List<String> flags) {
        final Map<String, String> config = new LinkedHashMap<>(fromEnvironment(env));
        if (flags != null) {
            for (final String flag : flags) {
                final int eq = flag.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--kafka-config expects key=value, got: " + flag);
                }
                config.put(flag.substring(0, eq).trim(), flag.substring(eq + 1));
            }
        }
        return config;
    }

    /** {@code KAFKA_SASL_JAAS_CONFIG=...} becomes {@code sasl.jaas.config=...}. */
    public static Map<String, String> fromEnvironment(final Map<String, String> env) {
        final Map<String, String> config = new LinkedHashMap<>();
        env.entrySet().stream()
                .filter(e -> e.getKey().startsWith("KAFKA_") && !SCRIPT_VARIABLES.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> config.put(e.getKey().substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'),
                        e.getValue()));
        return config;
    }
}
