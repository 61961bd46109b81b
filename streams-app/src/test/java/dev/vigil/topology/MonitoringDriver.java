package dev.vigil.topology;

import dev.vigil.testing.TestStateDir;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.abuse.SimHash;
import dev.vigil.config.Topics;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.PushbackReason;
import dev.vigil.schema.Referral;
import dev.vigil.schema.Role;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Sentiment;
import dev.vigil.schema.WindowAggregate;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

/**
 * Test fixture: the monitoring stages alone in a {@link TopologyTestDriver}, fed with
 * hand-built {@link MessageSignals} (no classifier), with readers for the three output topics.
 */
public final class MonitoringDriver implements AutoCloseable {
    public static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

    private final TopologyTestDriver driver;
    private final TestInputTopic<String, MessageSignals> signals;
    private final TestOutputTopic<String, SafetyAlert> alerts;
    private final TestOutputTopic<String, WindowAggregate> aggregates;
    private final TestOutputTopic<String, ConversationSummary> summaries;
    private final SafetyMetrics metrics = SafetyMetrics.noop();

    public MonitoringDriver(final MonitoringConfig requested) {
        // The driver commits after every record; checkpointing RocksDB files each time is slow.
        // Raw ids in the outputs, so tests of the stages' logic find their conversations by name;
        // what is published by default is PublishedIdsTest's subject.
        final MonitoringConfig config = requested.toBuilder().persistentStores(false).rawIdsInOutputs(true).build();
        final VigilSerdes serdes = VigilSerdes.plainAvro();
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "vigil-monitoring-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, TestStateDir.fresh());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // In-memory window stores: the same semantics as RocksDB, without opening a RocksDB
        // instance per segment, which makes hours of simulated event time slow.
        props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG,
                BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class.getName());
        final StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
        final KStream<String, MessageSignals> in = builder.stream(Topics.MESSAGE_SIGNALS,
                Consumed.with(Serdes.String(), serdes.value(MessageSignals.class)).withName("message-signals"));
        MonitoringTopology.build(builder, in, config, serdes, metrics);
        driver = new TopologyTestDriver(builder.build(), props);
        signals = driver.createInputTopic(Topics.MESSAGE_SIGNALS, Serdes.String().serializer(),
                serdes.value(MessageSignals.class).serializer());
        alerts = driver.createOutputTopic(config.topic(Topics.ALERTS), Serdes.String().deserializer(),
                serdes.value(SafetyAlert.class).deserializer());
        aggregates = driver.createOutputTopic(config.topic(Topics.AGGREGATES), Serdes.String().deserializer(),
                serdes.value(WindowAggregate.class).deserializer());
        summaries = driver.createOutputTopic(config.topic(Topics.CONVERSATION_SUMMARIES),
                Serdes.String().deserializer(), serdes.value(ConversationSummary.class).deserializer());
    }

    public MonitoringDriver() {
        this(MonitoringConfig.defaults());
    }

    public SafetyMetrics metrics() {
        return metrics;
    }

    public TopologyTestDriver driver() {
        return driver;
    }

    public void send(final MessageSignals s) {
        signals.pipeInput(s.getConversationId(), s, s.getEventTime());
    }

    public void sendAll(final List<MessageSignals> all) {
        all.forEach(this::send);
    }

    /** A message from an unrelated conversation far later, pushing stream time past every open window. */
    public void advanceStreamTime(final Instant to) {
        // Fingerprinted like every real human message, so the abuse buckets see time move too.
        send(human("clock-" + to.toEpochMilli(), "clock-account", 0, to).setSimhash(to.toEpochMilli() * 0x9E3779B97F4A7C15L)
                .build());
    }

    public List<SafetyAlert> alerts() {
        return alerts.readValuesToList();
    }

    public List<KeyValue<String, SafetyAlert>> alertRecords() {
        return alerts.readKeyValuesToList();
    }

    public List<WindowAggregate> aggregates() {
        return aggregates.readValuesToList();
    }

    public List<ConversationSummary> summaries() {
        return summaries.readValuesToList();
    }

    @Override
    public void close() {
        driver.close();
    }

    /** A neutral, task-use human message; tests set what matters to them. */
    public static MessageSignals.Builder human(final String conversation, final String account, final int turn,
                                               final Instant at) {
        return MessageSignals.newBuilder()
                .setEventId(conversation + ":" + turn)
                .setConversationId(conversation)
                .setAccountId(account)
                .setTurn(turn)
                .setRole(Role.HUMAN)
                .setEventTime(at)
                .setLanguage("en")
                .setModel("model-a")
                .setTokenCount(12)
                .setSentiment(Sentiment.NEUTRAL)
                .setSentimentScore(0.0)
                .setCrisisLevel(CrisisLevel.NONE)
                .setCrisisScore(0.01)
                .setAffectiveCategory(AffectiveCategory.NONE)
                .setAffectiveScore(0.05)
                .setClassifierVersion("test-1");
    }

    /** An assistant reply with no pushback and no referral. */
    public static MessageSignals.Builder assistant(final String conversation, final String account, final int turn,
                                                   final Instant at) {
        return MessageSignals.newBuilder()
                .setEventId(conversation + ":" + turn)
                .setConversationId(conversation)
                .setAccountId(account)
                .setTurn(turn)
                .setRole(Role.ASSISTANT)
                .setEventTime(at)
                .setLanguage("en")
                .setModel("model-a")
                .setTokenCount(40)
                .setPushback(false)
                .setReferral(Referral.NONE)
                .setClassifierVersion("test-1");
    }

    public static MessageSignals.Builder pushback(final MessageSignals.Builder reply, final PushbackReason reason) {
        return reply.setPushback(true).setPushbackReason(reason);
    }

    /** A human message carrying the fingerprint of {@code text}, as the classifier would compute it. */
    public static MessageSignals.Builder fingerprinted(final MessageSignals.Builder human, final String text) {
        return human.setSimhash(SimHash.ofText(text));
    }

    public static Instant at(final Duration offset) {
        return T0.plus(offset);
    }
}
