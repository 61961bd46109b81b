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
import dev.vigil.serde.AvroJson;
import dev.vigil.serde.VigilSerdes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
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

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * {@code vigil tail}: prints a topic as JSON lines, one record a line, with its key, partition,
 * offset and timestamp. Reads without joining a consumer group, so tailing never disturbs the
 * application. Values are decoded from Confluent-framed Avro through the registry and printed with
 * enum values spelled as {@code vigil classify} spells them; dead-letter records print their
 * headers and their bytes in base64, not as text.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Print a topic as JSON lines.",
            "It starts at the end (new records only), or with --from-beginning at the earliest record kept, and "
                    + "stops at --max records, --timeout or --idle-timeout, or on Ctrl-C.",
            "TOPIC is a topic name or one of: signals, summaries, aggregates, alerts, dlq, events, alerts-dlq.",
            "On Vigil's topics keys are plain strings (the conversation id on events and signals) and values are "
                    + "Confluent-framed Avro (magic byte 0, 4-byte schema id, Avro binary)."})
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

    @Option(names = "--from-beginning",
            description = "Start at the earliest record kept instead of the end, e.g. to see alerts already raised.")
    boolean fromBeginning;

    @Option(names = "--max", defaultValue = "-1", paramLabel = "N",
            description = "Stop after N records (default: no limit).")
    long max;

    @Option(names = "--timeout", converter = DurationConverter.class,
            description = "Stop after this long in all, however many records arrive (e.g. 30s; default: no limit).")
    Duration timeout;

    @Option(names = "--idle-timeout", converter = DurationConverter.class,
            description = "Stop when no record arrived for this long (e.g. 10s; default: wait forever).")
    Duration idleTimeout;

    /** Nanosecond clock of the time limits; tests give their own. */
    LongSupplier clock = System::nanoTime;

    @Override
    public Integer call() {
        final String topic = ALIASES.getOrDefault(topicOrAlias, topicOrAlias);
        final EmbeddedStackFile.Stack stack = connection.resolve();
        final var props = connection.clientProperties(stack);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        final Deserializer<? extends SpecificRecord> values = deserializerFor(topic,
                VigilSerdes.registry(connection.registry(stack)));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (partitions == null || partitions.isEmpty()) {
                System.err.println("topic " + topic + " does not exist");
                return 2;
            }
            tail(consumer, partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList(), values,
                    System.out);
        }
        System.out.flush();
        return 0;
    }

    /**
     * Prints the records of {@code partitions} until {@code --max}, {@code --timeout} or
     * {@code --idle-timeout}; returns how many were printed. The limits are checked after every
     * poll, so a busy topic stops on time as well as a quiet one.
     */
    long tail(final Consumer<String, byte[]> consumer, final List<TopicPartition> partitions,
              final Deserializer<? extends SpecificRecord> values, final PrintStream out) {
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        final long started = clock.getAsLong();
        long lastRecord = started;
        long printed = 0;
        while (max < 0 || printed < max) {
            final var records = consumer.poll(Duration.ofMillis(200));
            final long now = clock.getAsLong();
            for (final ConsumerRecord<String, byte[]> r : records) {
                out.println(line(r, values));
                printed++;
                lastRecord = now;
                if (max >= 0 && printed >= max) {
                    break;
                }
            }
            // Tail is usually stopped with Ctrl-C: what was read must already be out.
            out.flush();
            if (timeout != null && now - started >= timeout.toNanos()) {
                break;
            }
            if (idleTimeout != null && now - lastRecord >= idleTimeout.toNanos()) {
                break;
            }
        }
        out.flush();
        return printed;
    }

    static ObjectNode line(final ConsumerRecord<String, byte[]> r, final Deserializer<? extends SpecificRecord> values) {
        final ObjectNode line = JsonNodeFactory.instance.objectNode();
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
        return line;
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
