package dev.vigil.stream;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.TreeSet;

/**
 * {@link JsonSerde} field codec for a sorted set of 64-bit hashes (a cell's distinct accounts,
 * a member's messages): eight bytes per value, as one base64 string, instead of a JSON array of
 * decimal numbers. Such sets are rewritten to the changelog in every commit while their window
 * is open, and writing them digit by digit was the largest cost left in the profile.
 * Still reads the array form that older state holds.
 */
public final class PackedLongs {
    private PackedLongs() {
    }

    /** Writes the set as base64 of its values, big-endian, in ascending order. */
    public static final class Writer extends JsonSerializer<TreeSet<Long>> {
        @Override
        public void serialize(final TreeSet<Long> values, final JsonGenerator gen, final SerializerProvider provider)
                throws IOException {
            final ByteBuffer buffer = ByteBuffer.allocate(values.size() * Long.BYTES);
            for (final long v : values) {
                buffer.putLong(v);
            }
            gen.writeBinary(buffer.array());
        }
    }

    /** Reads the base64 form, or the JSON array older state was written in. */
    public static final class Reader extends JsonDeserializer<TreeSet<Long>> {
        @Override
        public TreeSet<Long> deserialize(final JsonParser p, final DeserializationContext ctxt) throws IOException {
            final TreeSet<Long> values = new TreeSet<>();
            if (p.currentToken() == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    values.add(p.getLongValue());
                }
                return values;
            }
            final ByteBuffer buffer = ByteBuffer.wrap(p.getBinaryValue());
            if (buffer.remaining() % Long.BYTES != 0) {
                throw ctxt.weirdStringException(p.getText(), TreeSet.class, "not a whole number of 64-bit values");
            }
            while (buffer.hasRemaining()) {
                values.add(buffer.getLong());
            }
            return values;
        }

        @Override
        public TreeSet<Long> getNullValue(final DeserializationContext ctxt) {
            return new TreeSet<>();
        }
    }
}
