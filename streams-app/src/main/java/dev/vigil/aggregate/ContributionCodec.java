package dev.vigil.aggregate;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The packed form of a logged {@link Contribution} (the first phase's log, {@link CellPartials}):
 * every message is written once to it and its changelog, so its size is paid per message. About
 * 60 bytes for a typical message instead of about 400 as JSON with field names.
 */
final class ContributionCodec implements Serde<Contribution> {
    /** Format version: a reader refuses what it does not know rather than misreading it. */
    private static final byte VERSION = 1;
    private static final int NO_KIND = 255;
    private static final int HUMAN = 1;
    private static final int PUSHBACK = 2;
    private static final int SENTIMENT = 4;
    private static final int SHIFT = 8;

    @Override
    public Serializer<Contribution> serializer() {
        return (topic, c) -> c == null ? null : write(c);
    }

    @Override
    public Deserializer<Contribution> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(final Contribution c) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(c.kind == null ? NO_KIND : c.kind.ordinal());
            out.writeByte((c.human ? HUMAN : 0) | (c.pushback ? PUSHBACK : 0)
                    | (c.sentimentScore != null ? SENTIMENT : 0) | (c.sentimentShift != null ? SHIFT : 0));
            out.writeLong(c.accountHash);
            out.writeLong(c.conversationHash);
            out.writeLong(c.sourceTime);
            out.writeLong(c.at);
            if (c.sentimentScore != null) {
                out.writeDouble(c.sentimentScore);
            }
            if (c.sentimentShift != null) {
                out.writeDouble(c.sentimentShift);
            }
            for (final String s : new String[] {c.category, c.model, c.language, c.pushbackReason, c.crisisLevel,
                c.outcome, c.classifierVersion}) {
                out.writeBoolean(s != null);
                if (s != null) {
                    out.writeUTF(s);
                }
            }
        } catch (final IOException e) {
            throw new SerializationException("cannot pack a contribution", e);
        }
        return bytes.toByteArray();
    }

    static Contribution read(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            final int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new SerializationException("unknown contribution format " + version);
            }
            final Contribution c = new Contribution();
            final int kind = in.readUnsignedByte();
            c.kind = kind == NO_KIND ? null : Contribution.Kind.values()[kind];
            final int flags = in.readUnsignedByte();
            c.human = (flags & HUMAN) != 0;
            c.pushback = (flags & PUSHBACK) != 0;
            c.accountHash = in.readLong();
            c.conversationHash = in.readLong();
            c.sourceTime = in.readLong();
            c.at = in.readLong();
            c.sentimentScore = (flags & SENTIMENT) != 0 ? in.readDouble() : null;
            c.sentimentShift = (flags & SHIFT) != 0 ? in.readDouble() : null;
            c.category = string(in);
            c.model = string(in);
            c.language = string(in);
            c.pushbackReason = string(in);
            c.crisisLevel = string(in);
            c.outcome = string(in);
            c.classifierVersion = string(in);
            return c;
        } catch (final IOException | ArrayIndexOutOfBoundsException e) {
            throw new SerializationException("cannot unpack a contribution", e);
        }
    }

    private static String string(final DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
