package dev.vigil.serde;

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

/** Avro binary of one specific record type, without any framing: writer schema = reader schema. */
public final class PlainAvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T> reader;

    public PlainAvroSerde(final Class<T> type) {
        final org.apache.avro.Schema schema = SpecificData.get().getSchema(type);
        this.writer = new SpecificDatumWriter<>(schema);
        this.reader = new SpecificDatumReader<>(schema);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            return AvroBinary.write(writer, data, new ByteArrayOutputStream(128), topic);
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            final BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
            try {
                return reader.read(null, decoder);
            } catch (final IOException | RuntimeException e) {
                throw new SerializationException("cannot read Avro record from topic " + topic, e);
            }
        };
    }
}
