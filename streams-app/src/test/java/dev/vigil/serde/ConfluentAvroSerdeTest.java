package dev.vigil.serde;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.schema.MessageSignals;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfluentAvroSerdeTest {
    private static final String REGISTRY = "serde-test";
    private static final String TOPIC = "message-signals";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaRegistryClient registry = SchemaRegistries.forUrl("mock://" + REGISTRY, Map.of());

    @AfterEach
    void forgetRegistry() {
        InMemorySchemaRegistry.drop(REGISTRY);
    }

    @Test
    void shouldRoundTripEveryRecordTypeInTheWireFormat() {
        for (final Class<? extends SpecificRecord> type : SampleRecords.TYPES) {
            assertRoundTrip(type);
        }
    }

    private <T extends SpecificRecord> void assertRoundTrip(final Class<T> type) {
        final Serde<T> serde = VigilSerdes.registry(registry).value(type);
        final T record = SampleRecords.populated(type);
        final byte[] bytes = serde.serializer().serialize(TOPIC + "-" + type.getSimpleName(), record);

        assertEquals(ConfluentAvroSerde.MAGIC_BYTE, bytes[0], "magic byte");
        final int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertEquals(registry.schemaById(id), record.getSchema(), "the frame names the registered writer schema");
        assertEquals(record, serde.deserializer().deserialize(TOPIC, bytes), type.getSimpleName());
    }

    @Test
    void shouldRegisterOncePerTopicUnderTheValueSubject() {
        final Serde<MessageSignals> serde = VigilSerdes.registry(registry).value(MessageSignals.class);
        final MessageSignals record = SampleRecords.populated(MessageSignals.class);
        final byte[] first = serde.serializer().serialize(TOPIC, record);
        final byte[] second = serde.serializer().serialize(TOPIC, record);
        assertArrayEquals(first, second);
        assertEquals(ByteBuffer.wrap(first, 1, 4).getInt(),
                registry.register(TOPIC + "-value", record.getSchema()), "same id as the value subject");
    }

    @Test
    void shouldReadDataWrittenWithAnOlderSchemaFillingTheNewFieldsDefault() throws IOException {
        // An older writer: MessageSignals as it was before simhash existed.
        final ObjectNode json = (ObjectNode) JSON.readTree(MessageSignals.getClassSchema().toString());
        final ArrayNode fields = (ArrayNode) json.get("fields");
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).get("name").asText().equals("simhash")) {
                fields.remove(i);
            }
        }
        final Schema older = new Schema.Parser().parse(json.toString());
        final MessageSignals expected = SampleRecords.populated(MessageSignals.class);
        final GenericRecord old = new GenericData.Record(older);
        for (final Schema.Field field : older.getFields()) {
            old.put(field.name(), expected.get(field.name()));
        }
        final int id = registry.register(TOPIC + "-value", older);

        final MessageSignals read = VigilSerdes.registry(registry).value(MessageSignals.class)
                .deserializer().deserialize(TOPIC, frame(id, older, old));

        assertEquals(older.getFields().size() + 1, MessageSignals.getClassSchema().getFields().size());
        assertNull(read.getSimhash(), "field absent from the writer takes the reader's default");
        assertEquals(expected.getEventId(), read.getEventId());
        assertEquals(expected.getEventTime(), read.getEventTime());
        assertEquals(expected.getCrisisLevel(), read.getCrisisLevel());
        assertEquals(expected.getSentimentScore(), read.getSentimentScore());
        assertEquals(expected.getClassifierVersion(), read.getClassifierVersion());
    }

    @Test
    void shouldRejectBytesThatAreNotInTheWireFormat() {
        final Serde<MessageSignals> serde = VigilSerdes.registry(registry).value(MessageSignals.class);
        final byte[] valid = serde.serializer().serialize(TOPIC, SampleRecords.populated(MessageSignals.class));

        final byte[] wrongMagic = valid.clone();
        wrongMagic[0] = 1;
        assertThrows(SerializationException.class, () -> serde.deserializer().deserialize(TOPIC, wrongMagic));
        assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 0}), "shorter than the header");
        assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize(TOPIC, "{\"event_id\":\"e1\"}".getBytes()), "JSON, not Avro");

        final byte[] garbageBody = new byte[valid.length];
        System.arraycopy(valid, 0, garbageBody, 0, 5);
        for (int i = 5; i < garbageBody.length; i++) {
            garbageBody[i] = (byte) 0xFF;
        }
        assertThrows(SerializationException.class, () -> serde.deserializer().deserialize(TOPIC, garbageBody));

        final byte[] unknownId = valid.clone();
        unknownId[4] = 99;
        assertThrows(SerializationException.class, () -> serde.deserializer().deserialize(TOPIC, unknownId));
    }

    @Test
    void shouldRejectAStringThatIsNotValidUtf8RatherThanReplaceItsBytes() {
        final Serde<dev.vigil.schema.ConversationEvent> serde = VigilSerdes.registry(registry)
                .value(dev.vigil.schema.ConversationEvent.class);
        final dev.vigil.schema.ConversationEvent event = dev.vigil.testing.Events.event("utf8", 0,
                dev.vigil.schema.Role.HUMAN, "caf\u00e9 zzzzzz", java.time.Instant.parse("2026-03-01T00:00:00Z"));
        final byte[] valid = serde.serializer().serialize(TOPIC, event);
        assertEquals(event.getText(), serde.deserializer().deserialize(TOPIC, valid).getText(), "valid UTF-8 reads back");

        final byte[] broken = valid.clone();
        final int at = indexOf(broken, "zzzzzz".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        broken[at] = (byte) 0xFF;
        broken[at + 1] = (byte) 0xC3;
        final SerializationException e = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize(TOPIC, broken), "Avro alone would read U+FFFD here");
        assertEquals("a string field is not valid UTF-8", e.getMessage());
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
        throw new AssertionError("needle not found");
    }

    private static byte[] frame(final int id, final Schema schema, final GenericRecord record) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema, SpecificData.getForClass(MessageSignals.class)).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
