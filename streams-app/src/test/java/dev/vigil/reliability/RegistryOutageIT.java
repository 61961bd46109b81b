package dev.vigil.reliability;

import dev.vigil.it.VigilProcess;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import dev.vigil.serde.ConfluentAvroSerde;
import dev.vigil.serde.EmbeddedSchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.SchemaRegistryClient;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.testing.Events;
import dev.vigil.testing.InJvmKafka;
import dev.vigil.it.TopicRecords;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The schema registry goes down while {@code vigil run} (a child JVM) is processing, and input
 * keeps coming: records of a schema id Vigil has cached, and records of a new producer schema
 * version (registered just before the outage, so Vigil has never fetched it). While it is down,
 * Vigil dead-letters nothing, reports the outage in {@code /health/ready} and in
 * {@code vigil_schema_registry_up} / {@code vigil_schema_registry_errors_total}, and stays alive;
 * once the registry is back (same port, its journal replayed, so the same ids) every good event
 * has exactly one signal, and the one truly bad record (a schema id no registry knows) is in the
 * DLQ as undeserializable: an outage is told apart from a bad record.
 */
class RegistryOutageIT {
    private static final String INPUT = "events-registry-outage";
    private static final String APP = "vigil-registry-outage";
    private static final Instant T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(Duration.ofDays(1));
    private static final int BEFORE = 30;
    private static final int DURING_OLD = 12;
    private static final int DURING_NEW = 12;
    private static final int UNKNOWN_SCHEMA_ID = 424_242;
    /**
     * 12 s by default: shorter than it takes the broker to abort Vigil's open transaction (the
     * 10 s transaction timeout plus its check every 10 s), so Vigil just waits and carries on.
     * The {@code reliability} profile uses 25 s: the transaction is aborted meanwhile, Vigil's
     * producer is fenced when the registry is back, and it recovers through a rebalance.
     */
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("vigil.registry.outage.seconds", 12));

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void shouldWaitForTheRegistryAndThenCatchUpWithoutDeadLetteringGoodRecords() throws Exception {
        final long started = System.nanoTime();
        final int registryPort = Fixtures.freePort();
        final int httpPort = Fixtures.freePort();
        final Path journal = tmp.resolve("registry/schemas.jsonl");
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", registryPort, journal);
        try (InJvmKafka kafka = InJvmKafka.start(); KafkaProducer<String, byte[]> producer = Fixtures.producer(kafka.bootstrapServers())) {
            final String bootstrap = kafka.bootstrapServers();
            Fixtures.createTopics(bootstrap, INPUT, 1);
            final SchemaRegistryClient client = SchemaRegistries.forUrl(registry.url(), Map.of());
            final var v1 = VigilSerdes.registry(client).value(ConversationEvent.class).serializer();
            final Set<String> good = new TreeSet<>();
            for (int i = 0; i < BEFORE; i++) {
                send(producer, v1.serialize(INPUT, event("before-" + i, i)), "before-" + i, good);
            }
            producer.flush();

            final String base = "http://127.0.0.1:" + httpPort;
            final Path out = tmp.resolve("vigil.out");
            try (VigilProcess vigil = VigilProcess.run(out, Map.of(), List.of("--bootstrap-servers", bootstrap,
                    "--schema-registry-url", registry.url(), "--data-dir", tmp.resolve("data").toString(),
                    "--application-id", APP, "--input-topic", INPUT, "--partitions", "1", "--replication-factor", "1",
                    "--http-host", "127.0.0.1", "--http-port", String.valueOf(httpPort)))) {
                final VigilSerdes readBack = VigilSerdes.registry(client);
                Fixtures.await(Duration.ofSeconds(90), "signals of the events before the outage",
                        () -> vigilAlive(vigil) && Fixtures.signalsPerEvent(bootstrap, readBack).size() >= BEFORE);

                // A producer upgrades: schema v2 (one optional field more) is registered and used.
                final Schema v2 = v2();
                final int v2Id = client.register(ConfluentAvroSerde.valueSubject(INPUT), v2);
                registry.close();
                final long outageStart = System.nanoTime();

                // A cached-schema record first: its signal opens a transaction, so the wait for the
                // registry outlasts the transaction timeout (10 s) and the hard path is exercised.
                for (int i = 0; i < Math.max(DURING_OLD, DURING_NEW); i++) {
                    if (i < DURING_OLD) {
                        send(producer, v1.serialize(INPUT, event("old-schema-" + i, i)), "old-schema-" + i, good);
                    }
                    if (i < DURING_NEW) {
                        send(producer, frame(v2Id, v2, event("new-schema-" + i, i)), "new-schema-" + i, good);
                    }
                    if (i == DURING_NEW / 2) {
                        // Truly bad, whenever it is read: no registry has this id.
                        producer.send(new ProducerRecord<>(INPUT, null, T0.toEpochMilli(), "unknown-schema-id",
                                frame(UNKNOWN_SCHEMA_ID, v2, event("unknown-schema-id", 0))));
                    }
                }
                producer.flush();

                Fixtures.await(Duration.ofSeconds(60), "readiness reports the registry down", () -> {
                    final HttpResponse<String> ready = Fixtures.get(base + "/health/ready");
                    return ready.statusCode() == 503 && ready.body().contains("\"schemaRegistry\":\"DOWN\"");
                });
                final String scrape = Fixtures.get(base + "/metrics").body();
                assertEquals(0.0, Fixtures.metric(scrape, "vigil_schema_registry_up"), "registry-up gauge during the outage");
                assertTrue(Fixtures.metric(scrape, "vigil_schema_registry_errors_total") > 0, "registry errors counted");
                // Keep it down a while longer: nothing may leak into the DLQ meanwhile.
                while (System.nanoTime() - outageStart < OUTAGE.toNanos()) {
                    Thread.sleep(500);
                }
                assertTrue(vigil.isAlive(), "vigil run keeps running through the outage");
                assertEquals(0, TopicRecords.readAll(bootstrap, INPUT + ".dlq", false).size(),
                        "nothing is dead-lettered because the registry is down");
                final long outageSeconds = (System.nanoTime() - outageStart) / 1_000_000_000L;

                registry = EmbeddedSchemaRegistry.start("127.0.0.1", registryPort, journal);
                final long recoveryStart = System.nanoTime();
                final int expected = BEFORE + DURING_OLD + DURING_NEW;
                Fixtures.await(Duration.ofSeconds(120), "every good event has its signal after the registry is back",
                        () -> vigilAlive(vigil) && Fixtures.signalsPerEvent(bootstrap, readBack).size() >= expected
                                && !Fixtures.deadLetterReasons(bootstrap, INPUT).isEmpty());
                final double recoverySeconds = (System.nanoTime() - recoveryStart) / 1e9;
                TopicRecords.awaitConsumed(bootstrap, APP, INPUT, Duration.ofSeconds(60));

                final Map<String, Long> signals = Fixtures.signalsPerEvent(bootstrap, readBack);
                assertEquals(good, signals.keySet(), "a signal for every good event, and only for them");
                signals.forEach((id, n) -> assertEquals(1L, n, "exactly one signal for " + id));
                assertEquals(Map.of("unknown-schema-id", "undeserializable"), Fixtures.deadLetterReasons(bootstrap, INPUT),
                        "only the record whose schema id no registry knows is dead-lettered");
                Fixtures.await(Duration.ofSeconds(30), "readiness is back",
                        () -> Fixtures.get(base + "/health/ready").statusCode() == 200);
                assertTrue(Fixtures.get(base + "/health/ready").body().contains("\"schemaRegistry\":\"UP\""));
                assertEquals(1.0, Fixtures.metric(Fixtures.get(base + "/metrics").body(), "vigil_schema_registry_up"));
                vigil.stop();
                System.out.printf("RegistryOutageIT: registry down %d s, caught up %.1f s after it came back; took %.1f s%n",
                        outageSeconds, recoverySeconds, (System.nanoTime() - started) / 1e9);
            }
        } finally {
            registry.close();
        }
    }

    private static boolean vigilAlive(final VigilProcess vigil) throws IOException {
        if (!vigil.isAlive()) {
            throw new AssertionError("vigil run exited:\n" + vigil.output());
        }
        return true;
    }

    private static ConversationEvent event(final String conversation, final int n) {
        return Events.event(conversation, 0, Role.HUMAN, "Could you suggest a good book about gardening, number " + n + "?",
                T0.plusSeconds(n));
    }

    private static void send(final KafkaProducer<String, byte[]> producer, final byte[] value, final String conversation,
                             final Set<String> good) {
        // Record time = event time, as `vigil produce` writes it.
        producer.send(new ProducerRecord<>(INPUT, null, T0.toEpochMilli(), conversation, value));
        good.add(conversation + ":0");
    }

    /** ConversationEvent with one optional field more: a backward-compatible producer upgrade. */
    private static Schema v2() throws IOException {
        final var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        final var json = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(ConversationEvent.getClassSchema().toString());
        final var field = json.withArray("fields").addObject();
        field.put("name", "client_version");
        field.putArray("type").add("null").add("string");
        field.putNull("default");
        return new Schema.Parser().parse(json.toString());
    }

    /** {@code event} written with {@code schema} under registry id {@code id}, in the wire format. */
    private static byte[] frame(final int id, final Schema schema, final ConversationEvent event) throws IOException {
        final GenericRecord r = new GenericRecordBuilder(schema)
                .set("event_id", event.getEventId())
                .set("conversation_id", event.getConversationId())
                .set("account_id", event.getAccountId())
                .set("turn", event.getTurn())
                .set("role", new GenericData.EnumSymbol(schema.getField("role").schema(), event.getRole().name()))
                .set("text", event.getText())
                .set("timestamp", event.getTimestamp().toEpochMilli())
                .set("model", event.getModel())
                .set("client_version", "2.0")
                .build();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(ByteBuffer.allocate(5).put(ConfluentAvroSerde.MAGIC_BYTE).putInt(id).array());
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(schema).write(r, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }
}
