package dev.vigil.app;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * How the Kafka Streams application runs: the settings of {@code vigil run} that are not about
 * the topology itself.
 *
 * @param applicationId     Kafka Streams application id (consumer group, internal topic prefix)
 * @param bootstrapServers  the Kafka cluster
 * @param schemaRegistryUrl the Confluent-compatible registry ({@code mock://name} in tests)
 * @param stateDir          where local state stores live
 * @param commitIntervalMs  how often a transaction commits; with exactly-once this bounds the
 *                          latency from input to visible output
 * @param replicationFactor of the topics Vigil creates, internal ones included (-1: the broker's default)
 * @param partitions        of the topics Vigil creates
 * @param threads           stream threads
 * @param clientConfig      Kafka client settings passed through untouched (TLS, SASL, ...)
 */
public record StreamsSettings(String applicationId, String bootstrapServers, String schemaRegistryUrl,
                              Path stateDir, long commitIntervalMs, short replicationFactor, int partitions,
                              int threads, Map<String, String> clientConfig) {
    public static final String DEFAULT_APPLICATION_ID = "vigil";
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 100;
    /** Largest record Vigil writes to its internal topics (Kafka's default is 1 MiB). */
    public static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;

    /** The Kafka Streams configuration: Vigil's settings, then the pass-through ones over them. */
    public Properties toProperties() {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Nothing lost, nothing doubled: a crash and restart neither drops nor repeats an alert.
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitIntervalMs));
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(replicationFactor));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Transactions on a one-node development cluster: the broker's min ISR is 1 anyway.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
        // Headroom for the largest state values (a band bucket holds up to 5,000 members): a
        // record over the limit fails its task on every retry and stops all processing. Applies
        // to the changelog and repartition topics Kafka Streams creates.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Integer.toString(MAX_RECORD_BYTES));
        p.put(StreamsConfig.topicPrefix("max.message.bytes"), Integer.toString(MAX_RECORD_BYTES));
        p.putAll(clientConfig);
        return p;
    }

    /** Plain client settings (Admin, producer, consumer) for the same cluster. */
    public Properties clientProperties() {
        return clientProperties(bootstrapServers, clientConfig);
    }

    public static Properties clientProperties(final String bootstrapServers, final Map<String, String> clientConfig) {
        final Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.putAll(clientConfig);
        return p;
    }
}
