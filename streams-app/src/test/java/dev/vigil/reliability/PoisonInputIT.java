package dev.vigil.reliability;

import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilApp;
import dev.vigil.classify.Classifiers;
import dev.vigil.ingest.EventValidator;
import dev.vigil.it.TopicRecords;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import dev.vigil.serde.EmbeddedSchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.SchemaRegistryClient;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.testing.BadRecords;
import dev.vigil.testing.Events;
import dev.vigil.testing.InJvmKafka;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.VigilTopology;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Poison input, fuzzed: several hundred good events with bad records of every kind mixed in at
 * random places (seeded, so a failure reproduces): random bytes, JSON where Avro belongs,
 * truncated Avro, an unknown schema id, invalid UTF-8 inside a valid record, huge texts, an
 * unknown enum symbol, blank ids, a negative turn, a timestamp at the epoch, a tombstone, Avro
 * whose lengths lie, event times far from their records', hostile ids, oversized records; then
 * redeliveries of good events and other events under their ids.
 * What a user would check: every good event has exactly one signal however often it arrived,
 * every bad record is in the dead-letter topic exactly once with the reason for its kind, and
 * the application is still RUNNING with its original stream thread (no thread died on the way).
 *
 * <p>The seed is {@code -Dvigil.fuzz.seed} (default fixed); the test prints it.
 */
class PoisonInputIT {
    private static final String INPUT = "events-fuzz";
    private static final int PARTITIONS = 2;
    private static final int GOOD = 320;
    private static final int BAD = 160;
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(1));
    private static final String[] WORDS = {"garden", "recipe", "weekend", "bicycle", "letter", "spanish", "budget",
        "museum", "printer", "sourdough", "meeting", "river", "violin", "lamp", "jacket", "tomato"};

    /** The kinds of bad input and the dead-letter reason each must get. */
    enum Poison {
        RANDOM_BYTES("undeserializable"),
        JSON_INSTEAD_OF_AVRO("undeserializable"),
        TRUNCATED_AVRO("undeserializable"),
        UNKNOWN_SCHEMA_ID("undeserializable"),
        INVALID_UTF8("undeserializable"),
        HUGE_TEXT("oversize-text"),
        UNKNOWN_ROLE("unknown-enum"),
        BLANK_ACCOUNT("missing-field"),
        BLANK_TEXT("missing-field"),
        NEGATIVE_TURN("invalid-field"),
        EPOCH_TIMESTAMP("invalid-field"),
        TOMBSTONE("null-value"),
        /** Framed Avro whose first string claims up to 2 GB: must not exhaust the heap. */
        LYING_LENGTH("undeserializable"),
        /** A valid event whose own time is years or days from its record's timestamp. */
        SKEWED_TIME("skewed-time"),
        /** An id with a control or invisible character, or far too long. */
        HOSTILE_ID("invalid-field"),
        /** Larger than any valid event: refused unread. */
        OVERSIZE_RECORD("oversize-record");

        final String reason;

        Poison(final String reason) {
            this.reason = reason;
        }
    }

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void shouldProcessEveryGoodRecordOnceAndDeadLetterEveryBadOneWithItsReason() throws Exception {
        final long started = System.nanoTime();
        int redeliveredCount;
        int reusedCount;
        final long seed = Long.getLong("vigil.fuzz.seed", 20_261_122L);
        final Random random = new Random(seed);
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
             InJvmKafka kafka = InJvmKafka.start()) {
            final String bootstrap = kafka.bootstrapServers();
            Fixtures.createTopics(bootstrap, INPUT, PARTITIONS);
            final SchemaRegistryClient client = SchemaRegistries.forUrl(registry.url(), Map.of());
            final VigilSerdes serdes = VigilSerdes.registry(client);
            final Serializer<ConversationEvent> avro = serdes.value(ConversationEvent.class).serializer();

            final List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
            final List<ConversationEvent> goodEvents = new ArrayList<>();
            final Set<String> goodIds = new TreeSet<>();
            final Set<String> reusedIds = new TreeSet<>();
            int redelivered = 0;
            for (int c = 0; goodIds.size() < GOOD; c++) {
                final String conversation = "fuzz-good-" + c;
                final int turns = 1 + random.nextInt(4);
                for (int t = 0; t < turns && goodIds.size() < GOOD; t++) {
                    final ConversationEvent e = Events.event(conversation, t, t % 2 == 0 ? Role.HUMAN : Role.ASSISTANT,
                            sentence(random), T0.plusSeconds(c * 60L + t * 10L));
                    goodIds.add(e.getEventId());
                    goodEvents.add(e);
                    records.add(record(conversation, avro.serialize(INPUT, e), e.getTimestamp()));
                    // Right after some: a redelivery (dropped as such) or another event under
                    // the same id (dead-lettered), under the original's key, as a producer would.
                    final int after = random.nextInt(10);
                    if (after == 0) {
                        records.add(record(conversation, avro.serialize(INPUT, e), e.getTimestamp()));
                        redelivered++;
                    } else if (after == 1 && reusedIds.add(conversation)) {
                        final ConversationEvent other = ConversationEvent.newBuilder(e)
                                .setText(sentence(random) + " (another message)").build();
                        records.add(record(conversation, avro.serialize(INPUT, other), e.getTimestamp()));
                    }
                }
            }
            final Map<String, String> expectedDeadLetters = new TreeMap<>();
            reusedIds.forEach(conversation -> expectedDeadLetters.put(conversation, "reused-event-id"));
            final Poison[] kinds = Poison.values();
            for (int n = 0; n < BAD; n++) {
                // Every kind at least once, then at random.
                final Poison kind = n < kinds.length ? kinds[n] : kinds[random.nextInt(kinds.length)];
                final String key = "fuzz-bad-" + n + "-" + kind.name().toLowerCase();
                expectedDeadLetters.put(key, kind.reason);
                final byte[] value = poison(kind, key, random, avro, client);
                records.add(random.nextInt(records.size() + 1), record(key, value, T0));
            }
            redeliveredCount = redelivered;
            reusedCount = reusedIds.size();
            assertTrue(redelivered > 0 && !reusedIds.isEmpty(), "the seed gives both redeliveries and reused ids");
            try (KafkaProducer<String, byte[]> producer = Fixtures.producer(bootstrap)) {
                records.forEach(producer::send);
                producer.flush();
            }

            final StreamsSettings settings = new StreamsSettings("vigil-fuzz", bootstrap, registry.url(),
                    tmp.resolve("state"), 100, (short) 1, PARTITIONS, 1, Map.of());
            try (VigilApp app = new VigilApp(VigilTopology.build(new VigilTopology.Settings(INPUT,
                    new EventValidator(EventValidator.DEFAULT_MAX_TEXT_CHARS), MonitoringConfig.defaults()),
                    Classifiers.standard(), serdes, SafetyMetrics.noop()), settings)) {
                app.start();
                assertTrue(app.awaitRunning(Duration.ofSeconds(90)), "Kafka Streams reached RUNNING");
                TopicRecords.awaitConsumed(bootstrap, settings.applicationId(), INPUT, Duration.ofSeconds(120));
                // The offsets were committed in the same transactions as the outputs; wait for
                // quiet anyway, so a failure below is about content, not timing.
                TopicRecords.readWhenQuiet(bootstrap, List.of(Fixtures.SIGNALS, INPUT + ".dlq"), Duration.ofSeconds(2),
                        Duration.ofSeconds(60));

                final Map<String, Long> signals = Fixtures.signalsPerEvent(bootstrap, serdes);
                final Set<String> missing = new TreeSet<>(goodIds);
                missing.removeAll(signals.keySet());
                final Set<String> extra = new TreeSet<>(signals.keySet());
                extra.removeAll(goodIds);
                assertEquals(Set.of(), missing, "good events without a signal (seed " + seed + ")");
                assertEquals(Set.of(), extra, "signals of bad records (seed " + seed + ")");
                signals.forEach((id, n) -> assertEquals(1L, n, "exactly one signal for " + id));
                final Map<String, String> deadLetters = Fixtures.deadLetterReasons(bootstrap, INPUT);
                assertEquals(expectedDeadLetters, deadLetters,
                        "every bad record dead-lettered once, with the reason of its kind (seed " + seed + ")");

                assertEquals(KafkaStreams.State.RUNNING, app.state(), "still running after the poison");
                final Set<String> threads = app.streams().metadataForLocalThreads().stream()
                        .map(ThreadMetadata::threadName).collect(Collectors.toSet());
                assertTrue(threads.size() == 1 && threads.iterator().next().endsWith("-StreamThread-1"),
                        "no stream thread died and was replaced: " + threads);
            }
        }
        System.out.printf("PoisonInputIT: seed %d, %d good and %d bad records of %d kinds, %d redeliveries, "
                + "%d reused ids; took %.1f s%n", seed, GOOD, BAD, Poison.values().length, redeliveredCount,
                reusedCount, (System.nanoTime() - started) / 1e9);
    }

    /** Record time = event time for events, as `vigil produce` writes it. */
    private static ProducerRecord<String, byte[]> record(final String key, final byte[] value, final Instant time) {
        return new ProducerRecord<>(INPUT, null, time.toEpochMilli(), key, value);
    }

    private static String sentence(final Random random) {
        final StringBuilder b = new StringBuilder("Could you help me with my");
        for (int i = 0; i < 3 + random.nextInt(8); i++) {
            b.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.append(" plans this week?").toString();
    }

    /** The bytes of one bad record of {@code kind}. */
    private static byte[] poison(final Poison kind, final String key, final Random random,
                                 final Serializer<ConversationEvent> avro, final SchemaRegistryClient registry) {
        final ConversationEvent base = Events.event(key, 0, Role.HUMAN, "Please look at this zzzzzzzz for me",
                T0.plusSeconds(random.nextInt(3600)));
        base.setAccountId("acct-" + key); // ids here are long but within bounds
        final byte[] valid = avro.serialize(INPUT, base);
        return switch (kind) {
            case RANDOM_BYTES -> {
                final byte[] b = new byte[1 + random.nextInt(300)];
                random.nextBytes(b);
                b[0] = (byte) (1 + random.nextInt(255)); // magic byte 0 would make it a (random) schema id lookup
                yield b;
            }
            case JSON_INSTEAD_OF_AVRO -> random.nextBoolean() ? BadRecords.notAvro()
                    : ("{\"event_id\": \"" + key + "\", \"text\": \"unterminated").getBytes(StandardCharsets.UTF_8);
            case TRUNCATED_AVRO -> Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 1));
            case UNKNOWN_SCHEMA_ID -> {
                final byte[] b = valid.clone();
                ByteBuffer.wrap(b, 1, 4).putInt(900_000 + random.nextInt(1000));
                yield b;
            }
            case INVALID_UTF8 -> {
                final byte[] b = valid.clone();
                final int at = indexOf(b, "zzzzzzzz".getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < 8; i++) {
                    b[at + i] = (byte) (0x80 + random.nextInt(0x40)); // lone continuation bytes
                }
                yield b;
            }
            case HUGE_TEXT -> {
                base.setText("word ".repeat((EventValidator.DEFAULT_MAX_TEXT_CHARS + 1 + random.nextInt(60_000)) / 5 + 1));
                yield avro.serialize(INPUT, base);
            }
            case UNKNOWN_ROLE -> BadRecords.unknownRole(registry, INPUT, base.getTimestamp());
            case BLANK_ACCOUNT -> avro.serialize(INPUT, BadRecords.blankAccount(base.getTimestamp()));
            case BLANK_TEXT -> {
                base.setText(" \t ");
                yield avro.serialize(INPUT, base);
            }
            case NEGATIVE_TURN -> avro.serialize(INPUT, BadRecords.negativeTurn(base.getTimestamp()));
            case EPOCH_TIMESTAMP -> {
                base.setTimestamp(Instant.EPOCH);
                yield avro.serialize(INPUT, base);
            }
            case TOMBSTONE -> null;
            case LYING_LENGTH -> {
                // Header and schema id of a valid record, then a length of up to 2 GB and a few bytes.
                final long[] claims = {Integer.MAX_VALUE, Integer.MAX_VALUE - 8, 1L << 30, 1L << 40, 1L << 62};
                long z = claims[random.nextInt(claims.length)] << 1;
                final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                b.write(valid, 0, 5);
                while ((z & ~0x7FL) != 0) {
                    b.write((int) ((z & 0x7F) | 0x80));
                    z >>>= 7;
                }
                b.write((int) z);
                b.write(valid, 5, random.nextInt(8));
                yield b.toByteArray();
            }
            case SKEWED_TIME -> {
                final Duration[] skews = {Duration.ofDays(365L * 73), Duration.ofDays(2), Duration.ofMinutes(90),
                    Duration.ofDays(-3), Duration.ofDays(-365L * 30)};
                base.setTimestamp(T0.plus(skews[random.nextInt(skews.length)]));
                yield avro.serialize(INPUT, base);
            }
            case HOSTILE_ID -> {
                final String[] ids = {"acct\nforged log line", "acct\u202Eevil", "acct\u0000", "a".repeat(129),
                    "acct\u200Bzw", "acct \t x", "<!channel>\u001b[2J"};
                base.setAccountId(ids[random.nextInt(ids.length)]);
                yield avro.serialize(INPUT, base);
            }
            case OVERSIZE_RECORD -> {
                final byte[] b = new byte[new EventValidator().maxRecordBytes() + 1 + random.nextInt(100_000)];
                random.nextBytes(b);
                b[0] = 0;
                yield b;
            }
        };
    }

    private static int indexOf(final byte[] haystack, final byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("marker not found");
    }
}
