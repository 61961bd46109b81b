package dev.vigil.serde;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Avro in Confluent's wire format: magic byte 0, the writer schema's 4-byte big-endian registry
 * id, then Avro binary. The serializer registers the record's schema under
 * {@code <topic>-value}; the deserializer fetches the writer schema by id and resolves it to
 * this record's schema, so readers keep working across compatible schema changes. Strings must be
 * valid UTF-8 ({@link StrictUtf8DatumReader}), and no length in the bytes may claim more than the
 * record holds ({@link AvroBounds}), so no record, however built, makes the reader allocate
 * more than its own size.
 */
public final class ConfluentAvroSerde<T extends SpecificRecord> implements Serde<T> {
    public static final byte MAGIC_BYTE = 0;
    private static final int HEADER = 5;

    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final SpecificDatumWriter<T> writer;
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();
    private final Map<Integer, Reader<T>> readersById = new ConcurrentHashMap<>();

    /** The writer schema behind a schema id and the reader that resolves it to this record's schema. */
    private record Reader<T>(Schema writer, SpecificDatumReader<T> datumReader) {
    }

    public ConfluentAvroSerde(final SchemaRegistryClient registry, final Class<T> type) {
        this.registry = registry;
        this.readerSchema = SpecificData.get().getSchema(type);
        this.writer = new SpecificDatumWriter<>(readerSchema);
    }

    /** The subject a topic's values are registered under (Confluent's TopicNameStrategy). */
    public static String valueSubject(final String topic) {
        return topic + "-value";
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            final int id = idsByTopic.computeIfAbsent(topic, t -> registry.register(valueSubject(t), readerSchema));
            final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            out.write(MAGIC_BYTE);
            out.write(id >>> 24);
            out.write(id >>> 16);
            out.write(id >>> 8);
            out.write(id);
            return AvroBinary.write(writer, data, out, topic);
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length < HEADER || bytes[0] != MAGIC_BYTE) {
                throw new SerializationException("not in the registry wire format (magic byte 0 + schema id)");
            }
            final int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            final Reader<T> reader = readersById.computeIfAbsent(id, i -> {
                final Schema writer = registry.schemaById(i);
                return new Reader<>(writer, new StrictUtf8DatumReader<>(writer, readerSchema));
            });
            // Lengths first: the decoder allocates whatever a length claims before reading it.
            AvroBounds.check(reader.writer(), bytes, HEADER, bytes.length - HEADER);
            final BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
            try {
                final T value = reader.datumReader().read(null, decoder);
                if (!decoder.isEnd()) {
                    throw new SerializationException("trailing bytes after the Avro record");
                }
                return value;
            } catch (final IOException | RuntimeException e) {
                throw e instanceof SerializationException se ? se
                        : new SerializationException("cannot read Avro record (schema id " + id + ")", e);
            }
        };
    }
}
