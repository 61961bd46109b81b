package dev.vigil.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.app.EmbeddedStackFile;
import dev.vigil.config.Topics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vigil tail}: prints a topic as JSON lines, one record a line, with its key, partition,
 * offset and timestamp. Reads without joining a consumer group, so tailing never disturbs the
 * application. Dead-letter records print their headers and their bytes in base64, not as text.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Print a topic as JSON lines. TOPIC is a topic name or one of: signals, summaries,",
            "aggregates, alerts, dlq, events, alerts-dlq."})
public final class TailCommand implements Callable<Integer> {
    static final Map<String, String> ALIASES = Map.of(
            "signals", Topics.MESSAGE_SIGNALS,
            "summaries", Topics.CONVERSATION_SUMMARIES,
            "aggregates", Topics.AGGREGATES,
            "alerts", Topics.ALERTS,
            "dlq", Topics.CONVERSATION_EVENTS_DLQ,
            "events", Topics.CONVERSATION_EVENTS,
            "alerts-dlq", Topics.ALERTS_DLQ);

    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic name or alias.")
    String topicOrAlias;

    @Option(names = "--from-beginning", description = "Start at the earliest offset instead of the end.")
    boolean fromBeginning;

    @Option(names = "--max", defaultValue = "-1", description = "Stop after this many records (default: no limit).")
    long max;

    @Option(names = "--timeout", converter = DurationConverter.class,
            description = "Stop when no record arrived for this long (e.g. 10s; default: wait forever).")
    Duration timeout;

    @Override
    public Integer call() {
        final String topic = ALIASES.getOrDefault(topicOrAlias, topicOrAlias);
        final EmbeddedStackFile.Stack stack = connection.resolve();
        final var props = connection.clientProperties(stack);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        final Deserializer<? extends SpecificRecord> values = deserializerFor(topic,
                VigilSerdes.registry(SchemaRegistries.forUrl(stack.schemaRegistryUrl(), connection.clientConfig())));
        final JsonNodeFactory f = JsonNodeFactory.instance;
        long printed = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (partitions == null || partitions.isEmpty()) {
                System.err.println("topic " + topic + " does not exist");
                return 2;
            }
            final List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            if (fromBeginning) {
                consumer.seekToBeginning(tps);
            } else {
                consumer.seekToEnd(tps);
            }
            long lastRecord = System.nanoTime();
            while (max < 0 || printed < max) {
                final var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    if (timeout != null && System.nanoTime() - lastRecord > timeout.toNanos()) {
                        break;
                    }
                    continue;
                }
                lastRecord = System.nanoTime();
                for (final ConsumerRecord<String, byte[]> r : records) {
                    final ObjectNode line = f.objectNode();
                    line.put("topic", r.topic());
                    line.put("partition", r.partition());
                    line.put("offset", r.offset());
                    line.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
                    line.put("key", r.key());
                    if (values == null) {
                        final ObjectNode headers = line.putObject("headers");
                        for (final Header h : r.headers()) {
                            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                        }
                        line.put("value_bytes", r.value() == null ? 0 : r.value().length);
                        line.put("value_base64", r.value() == null ? null : Base64.getEncoder().encodeToString(r.value()));
                    } else {
                        try {
                            line.set("value", AvroJson.toJson(values.deserialize(r.topic(), r.headers(), r.value())));
                        } catch (final RuntimeException e) {
                            line.put("error", "cannot read value: " + e.getMessage());
                        }
                    }
                    System.out.println(line);
                    printed++;
                    if (max >= 0 && printed >= max) {
                        break;
                    }
                }
                // Tail is usually stopped with Ctrl-C: what was read must already be out.
                System.out.flush();
            }
        }
        System.out.flush();
        return 0;
    }

    /** The record type of a Vigil topic, or null for dead-letter topics (printed as bytes). */
    static Deserializer<? extends SpecificRecord> deserializerFor(final String topic, final VigilSerdes serdes) {
        if (topic.endsWith(".dlq")) {
            return null;
        }
        final Class<? extends SpecificRecord> type;
        if (topic.endsWith(Topics.MESSAGE_SIGNALS)) {
            type = MessageSignals.class;
        } else if (topic.endsWith(Topics.CONVERSATION_SUMMARIES)) {
            type = ConversationSummary.class;
        } else if (topic.endsWith(Topics.AGGREGATES)) {
            type = WindowAggregate.class;
        } else if (topic.endsWith(Topics.ALERTS)) {
            type = SafetyAlert.class;
        } else {
            type = ConversationEvent.class;
        }
        return serdes.value(type).deserializer();
    }
}
