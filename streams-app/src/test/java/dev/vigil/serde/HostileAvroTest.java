package dev.vigil.serde;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import dev.vigil.testing.BadRecords;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Records built by someone who knows the wire format: registry-framed, a valid schema id, and
 * Avro whose lengths, counts, union branches and enum indexes lie. What a user would notice is
 * an application that stops (an {@link OutOfMemoryError} a stream thread cannot survive) or
 * stalls; so each record must be refused with a {@link SerializationException}, quickly, and
 * without the reader allocating more than a small multiple of the record's own size.
 */
class HostileAvroTest {
    private static final String REGISTRY = "hostile-avro-test";
    private static final String TOPIC = "conversation-events";
    /** What decoding one hostile record may allocate, whatever it claims. */
    private static final long ALLOCATION_LIMIT = 4L * 1024 * 1024;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private SchemaRegistryClient registry;
    private Deserializer<ConversationEvent> deserializer;
    private int schemaId;

    @BeforeEach
    void setUp() {
        registry = SchemaRegistries.forUrl("mock://" + REGISTRY, java.util.Map.of());
        deserializer = new ConfluentAvroSerde<>(registry, ConversationEvent.class).deserializer();
        schemaId = registry.register(ConfluentAvroSerde.valueSubject(TOPIC), ConversationEvent.getClassSchema());
    }

    @AfterEach
    void tearDown() {
        InMemorySchemaRegistry.drop(REGISTRY);
    }

    /** The fields of a ConversationEvent in order, each a function that writes it; one of them may lie. */
    private byte[] event(final int lyingField, final long claimedLength) throws IOException {
        final ByteArrayOutputStream out = BadRecords.frameHeader(schemaId);
        final BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        final String[] strings = {"e-1", "c-1", "acct-1"};
        int field = 0;
        for (final String s : strings) {
            string(enc, s, field++ == lyingField, claimedLength);
        }
        enc.writeInt(0); // turn
        enc.writeEnum(0); // role
        string(enc, "hello there", field++ == lyingField, claimedLength); // text
        enc.writeLong(Instant.parse("2026-01-05T09:00:00Z").toEpochMilli());
        for (int optional = 0; optional < 4; optional++) { // language, country, model, surface
            enc.writeIndex(1);
            string(enc, "en", field++ == lyingField, claimedLength);
        }
        enc.flush();
        return out.toByteArray();
    }

    private static void string(final BinaryEncoder enc, final String s, final boolean lie, final long claimed)
            throws IOException {
        if (lie) {
            enc.writeLong(claimed);
            enc.writeFixed(new byte[] {'x', 'y', 'z'});
        } else {
            enc.writeString(s);
        }
    }

    /** Decodes {@code bytes}, failing the test on anything but a clean refusal, a stall or a large allocation. */
    private void assertRefused(final byte[] bytes, final String what) {
        final long before = THREADS.getCurrentThreadAllocatedBytes();
        final long started = System.nanoTime();
        try {
            deserializer.deserialize(TOPIC, bytes);
            fail(what + ": decoded");
        } catch (final SerializationException expected) {
            // refused: the ingest processor dead-letters it
        } catch (final Throwable other) {
            fail(what + ": " + other, other);
        }
        final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        final long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(allocated < ALLOCATION_LIMIT, what + ": allocated " + allocated + " bytes for a "
                + bytes.length + "-byte record");
        assertTrue(millis < 1_000, what + ": took " + millis + " ms");
    }

    @Test
    void shouldDecodeTheHonestRecordTheLiesAreMadeFrom() throws IOException {
        final ConversationEvent e = deserializer.deserialize(TOPIC, event(-1, 0));
        assertEquals("hello there", e.getText());
        assertEquals("en", e.getSurface());
    }

    @Test
    void shouldRefuseEveryStringLengthThatClaimsMoreThanTheRecordHolds() throws IOException {
        final long[] claims = {Integer.MAX_VALUE, Integer.MAX_VALUE - 8, 1L << 30, 1_000_000_000L, 64L << 20, 4096,
            Long.MAX_VALUE, 1L << 40, -1, -2, Integer.MIN_VALUE, Long.MIN_VALUE};
        int tried = 0;
        for (int field = 0; field < 8; field++) {
            for (final long claim : claims) {
                assertRefused(event(field, claim), "field " + field + " claiming " + claim + " bytes");
                tried++;
            }
        }
        assertEquals(96, tried);
    }

    @Test
    void shouldRefuseLyingUnionBranchesEnumIndexesAndVarints() throws IOException {
        final byte[] honest = event(-1, 0);
        final List<byte[]> lies = new ArrayList<>();
        // role enum index out of range (byte after the turn at offset 5 + 4 + 4 + 7)
        final int role = 5 + 4 + 4 + 7 + 1;
        for (final int index : new int[] {3, 50, -1, 127}) {
            final byte[] b = honest.clone();
            b[role] = (byte) (zigzag(index) & 0x7f);
            lies.add(b);
        }
        // a varint that never ends, where the turn is
        final byte[] endless = honest.clone();
        for (int i = 0; i < 11 && 5 + 4 + 4 + 7 + i < endless.length; i++) {
            endless[5 + 4 + 4 + 7 + i] = (byte) 0xff;
        }
        lies.add(endless);
        // every truncation of the honest record
        for (int len = 5; len < honest.length; len++) {
            lies.add(java.util.Arrays.copyOf(honest, len));
        }
        // a union branch index out of range at the first optional field
        final int firstUnion = indexOfUnion(honest);
        for (final int branch : new int[] {2, 3, -1, 64}) {
            final byte[] b = honest.clone();
            b[firstUnion] = (byte) (zigzag(branch) & 0x7f);
            lies.add(b);
        }
        for (int i = 0; i < lies.size(); i++) {
            assertRefused(lies.get(i), "lie " + i);
        }
    }

    /**
     * A writer schema with a collection, registered as a newer producer's (Avro resolves it by
     * skipping the field): its counts and block sizes must be bounded too.
     */
    @Test
    void shouldRefuseCollectionsWhoseCountsNoRecordCouldHold() throws IOException {
        final Schema writer = new Schema.Parser().parse(ConversationEvent.getClassSchema().toString()
                .replace("\"fields\":[", "\"fields\":[{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"null\"},"
                        + "\"default\":[]},{\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"values\":\"string\"},"
                        + "\"default\":{}},"));
        final int id = registry.register(ConfluentAvroSerde.valueSubject(TOPIC), writer);
        final long[][] blocks = {{Integer.MAX_VALUE}, {1L << 40}, {-(1L << 40), 3}, {-3, 1L << 40}, {50_000},
            {Long.MIN_VALUE}};
        int tried = 0;
        for (final long[] block : blocks) {
            for (final boolean inMap : new boolean[] {false, true}) {
                final ByteArrayOutputStream out = BadRecords.frameHeader(id);
                final BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
                if (inMap) {
                    enc.writeLong(0); // empty array
                }
                for (final long v : block) {
                    enc.writeLong(v);
                }
                enc.flush();
                assertRefused(out.toByteArray(), (inMap ? "map" : "array") + " block " + java.util.Arrays.toString(block));
                tried++;
            }
        }
        assertEquals(12, tried);
    }

    /**
     * Structure-aware mutation: honest records with one varint anywhere replaced by a huge or
     * negative value, or bytes flipped. Whatever comes out, the reader either decodes a value or
     * refuses the record; it never throws an error, stalls, or allocates out of proportion.
     */
    @Test
    void shouldNeverFailHardOnMutatedRecords() throws IOException {
        final Random random = new Random(20_261_206L);
        final GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(ConversationEvent.getClassSchema());
        int decoded = 0;
        int refused = 0;
        for (int n = 0; n < 5_000; n++) {
            final byte[] honest = honest(random, writer);
            final byte[] mutated = mutate(honest, random);
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                deserializer.deserialize(TOPIC, mutated);
                decoded++;
            } catch (final SerializationException refusedRecord) {
                refused++;
            } catch (final Throwable other) {
                fail("mutation " + n + ": " + other, other);
            }
            final long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < ALLOCATION_LIMIT, "mutation " + n + " allocated " + allocated);
        }
        System.out.printf("HostileAvroTest: 5000 mutated records, %d decoded, %d refused%n", decoded, refused);
        assertTrue(refused > 1_000, "most mutations are refused: " + refused);
    }

    private byte[] honest(final Random random, final GenericDatumWriter<GenericRecord> writer) throws IOException {
        final GenericRecord r = new GenericData.Record(ConversationEvent.getClassSchema());
        r.put("event_id", "e-" + random.nextInt(1000));
        r.put("conversation_id", "c-" + random.nextInt(1000));
        r.put("account_id", "acct-" + random.nextInt(100));
        r.put("turn", random.nextInt(20));
        r.put("role", new GenericData.EnumSymbol(ConversationEvent.getClassSchema().getField("role").schema(),
                random.nextBoolean() ? Role.HUMAN.name() : Role.ASSISTANT.name()));
        r.put("text", "word ".repeat(1 + random.nextInt(40)));
        r.put("timestamp", 1_767_600_000_000L + random.nextInt(1_000_000));
        for (final String optional : new String[] {"language", "country", "model", "surface"}) {
            r.put(optional, random.nextBoolean() ? null : "v" + random.nextInt(10));
        }
        final ByteArrayOutputStream out = BadRecords.frameHeader(schemaId);
        final BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    private static byte[] mutate(final byte[] honest, final Random random) {
        final int at = 5 + random.nextInt(honest.length - 5);
        return switch (random.nextInt(3)) {
            case 0 -> { // splice a huge or negative varint in at a random place
                final long[] values = {Integer.MAX_VALUE, 1L << 31, 1L << 50, -1, Long.MIN_VALUE, 1 << 20};
                final byte[] v = varint(values[random.nextInt(values.length)]);
                final byte[] b = new byte[honest.length + v.length];
                System.arraycopy(honest, 0, b, 0, at);
                System.arraycopy(v, 0, b, at, v.length);
                System.arraycopy(honest, at, b, at + v.length, honest.length - at);
                yield b;
            }
            case 1 -> { // replace a varint-sized run with a huge length
                final byte[] b = honest.clone();
                final byte[] v = varint(Integer.MAX_VALUE - random.nextInt(100));
                System.arraycopy(v, 0, b, at, Math.min(v.length, b.length - at));
                yield b;
            }
            default -> { // flip a few bytes
                final byte[] b = honest.clone();
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    b[5 + random.nextInt(b.length - 5)] = (byte) random.nextInt(256);
                }
                yield b;
            }
        };
    }

    private static byte[] varint(final long value) {
        long z = (value << 1) ^ (value >> 63);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
        return out.toByteArray();
    }

    private static long zigzag(final long v) {
        return (v << 1) ^ (v >> 63);
    }

    /** Offset of the language field's union index in {@link #event}'s honest record: four optional "en" close it. */
    private static int indexOfUnion(final byte[] honest) {
        return honest.length - 4 * (1 + 1 + 2);
    }
}
