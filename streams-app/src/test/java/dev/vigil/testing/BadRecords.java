package dev.vigil.testing;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import dev.vigil.serde.ConfluentAvroSerde;
import dev.vigil.serde.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Input records that Vigil must dead-letter, one per way input goes wrong, as the bytes a
 * misbehaving producer would really send.
 */
public final class BadRecords {
    private BadRecords() {
    }

    /** A JSON document sent where registry-framed Avro belongs. */
    public static byte[] notAvro() {
        return "{\"text\": \"hello\"}".getBytes(StandardCharsets.UTF_8);
    }

    /** A valid framed event cut off in the middle. */
    public static byte[] truncated(final byte[] framed) {
        return Arrays.copyOf(framed, framed.length / 2);
    }

    /**
     * An event written by a newer producer whose Role enum has a symbol this Vigil does not know.
     * Avro resolves it to the UNKNOWN default, which validation rejects as {@code unknown-enum}.
     */
    public static byte[] unknownRole(final SchemaRegistryClient registry, final String topic, final Instant at) {
        final String json = ConversationEvent.getClassSchema().toString()
                .replace("\"symbols\":[\"HUMAN\",\"ASSISTANT\",\"UNKNOWN\"]", "\"symbols\":[\"HUMAN\",\"ASSISTANT\",\"UNKNOWN\",\"MODERATOR\"]");
        if (json.equals(ConversationEvent.getClassSchema().toString())) {
            throw new IllegalStateException("Role enum symbols changed; update BadRecords.unknownRole");
        }
        final Schema writer = new Schema.Parser().parse(json);
        final GenericRecord r = new GenericData.Record(writer);
        r.put("event_id", "moderated:0");
        r.put("conversation_id", "moderated");
        r.put("account_id", "acct-moderated");
        r.put("turn", 0);
        r.put("role", new GenericData.EnumSymbol(writer.getField("role").schema(), "MODERATOR"));
        r.put("text", "a note from a moderator");
        r.put("timestamp", at.toEpochMilli());
        final int id = registry.register(ConfluentAvroSerde.valueSubject(topic), writer);
        final ByteArrayOutputStream out = frameHeader(id);
        try {
            final BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(writer).write(r, enc);
            enc.flush();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A stream holding the registry wire format's header (magic byte 0, schema id), for the Avro to follow. */
    public static ByteArrayOutputStream frameHeader(final int schemaId) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
        return out;
    }

    public static ConversationEvent blankAccount(final Instant at) {
        final ConversationEvent e = Events.event("blank-account", 0, Role.HUMAN, "hello there", at);
        e.setAccountId(" ");
        return e;
    }

    public static ConversationEvent oversize(final int limit, final Instant at) {
        return Events.event("oversize", 0, Role.HUMAN, "a".repeat(limit + 1), at);
    }

    public static ConversationEvent negativeTurn(final Instant at) {
        return Events.event("negative-turn", -1, Role.HUMAN, "hello", at);
    }
}
