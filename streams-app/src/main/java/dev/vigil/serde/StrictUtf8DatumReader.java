package dev.vigil.serde;

import org.apache.avro.Schema;
import org.apache.avro.io.Decoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A {@link SpecificDatumReader} that refuses strings that are not valid UTF-8. Avro itself
 * decodes them leniently, replacing each bad byte with U+FFFD, so a producer with a broken
 * encoder would have its messages classified as mangled text and nobody would know. Refused
 * here, such a record goes to the dead-letter topic with its original bytes instead, where it
 * can be fixed and replayed.
 */
final class StrictUtf8DatumReader<T> extends SpecificDatumReader<T> {

    StrictUtf8DatumReader(final Schema writer, final Schema reader) {
        super(writer, reader, model(reader));
    }

    /**
     * The generated classes' model (same logical-type conversions, e.g. timestamp-millis to
     * Instant) with Avro's fast reader off: the fast reader decodes strings itself and would
     * bypass {@link #readString}. A copy, so other readers keep the shared model untouched.
     */
    private static SpecificData model(final Schema reader) {
        final SpecificData generated = SpecificData.getForSchema(reader);
        final SpecificData model = new SpecificData(generated.getClassLoader());
        generated.getConversions().forEach(model::addLogicalTypeConversion);
        model.setFastReaderEnabled(false);
        return model;
    }

    @Override
    protected Object readString(final Object old, final Schema expected, final Decoder in) throws IOException {
        final Utf8 raw = in.readString(null);
        final String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw.getBytes(), 0, raw.getByteLength()))
                    .toString();
        } catch (final CharacterCodingException e) {
            // No bytes in the message: they are the text this header must not carry.
            throw new SerializationException("a string field is not valid UTF-8");
        }
        final Class<?> type = findStringClass(expected);
        if (type == String.class) {
            return text;
        }
        if (type == CharSequence.class) {
            return raw;
        }
        return newInstanceFromString(type, text);
    }
}
