package dev.vigil.serde;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Avro binary encoding shared by the plain and the registry-framed serdes. */
final class AvroBinary {
    private AvroBinary() {
    }

    /** Appends {@code data} as Avro binary to {@code out} (which may already hold a header). */
    static <T> byte[] write(final SpecificDatumWriter<T> writer, final T data, final ByteArrayOutputStream out,
                            final String topic) {
        final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            writer.write(data, encoder);
            encoder.flush();
        } catch (final IOException | RuntimeException e) {
            throw new SerializationException("cannot write Avro record for topic " + topic, e);
        }
        return out.toByteArray();
    }
}
