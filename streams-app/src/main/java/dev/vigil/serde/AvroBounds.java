package dev.vigil.serde;

import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Walks Avro binary against its writer schema before anything is decoded, and refuses bytes
 * whose lengths and counts do not fit in the record. Avro's decoder allocates a string, a byte
 * array or a collection as large as the length the bytes claim before it reads them, so a
 * 13-byte record that claims a 2 GB string ends in {@link OutOfMemoryError} (and a stream thread
 * that reads the same offset again, forever). Here every length is checked against the bytes
 * that are really left, every collection against a count no real record reaches, and nesting
 * against a depth limit, so the decoder that runs afterwards can only allocate what the record
 * holds.
 */
final class AvroBounds {
    /**
     * Items a collection may claim beyond one a byte (a null or empty-record item takes no
     * bytes at all, so the bytes left cannot bound those).
     */
    static final long MAX_ZERO_SIZE_ITEMS = 10_000;
    /** Nesting deeper than this is refused: recursive schemas would otherwise let bytes decide the stack depth. */
    static final int MAX_DEPTH = 64;

    private final byte[] bytes;
    private final int end;
    private int pos;

    private AvroBounds(final byte[] bytes, final int offset, final int length) {
        this.bytes = bytes;
        this.pos = offset;
        this.end = offset + length;
    }

    /**
     * Checks that {@code length} bytes from {@code offset} are one datum of {@code writer} whose
     * every length fits; throws {@link SerializationException} (no bytes in the message) otherwise.
     */
    static void check(final Schema writer, final byte[] bytes, final int offset, final int length) {
        final AvroBounds walk = new AvroBounds(bytes, offset, length);
        walk.datum(writer, 0);
        if (walk.pos != walk.end) {
            throw new SerializationException("trailing bytes after the Avro record");
        }
    }

    private void datum(final Schema schema, final int depth) {
        if (depth > MAX_DEPTH) {
            throw new SerializationException("Avro data nested deeper than " + MAX_DEPTH);
        }
        switch (schema.getType()) {
            case NULL -> {
            }
            case BOOLEAN -> take(1);
            case INT, LONG -> varint();
            case FLOAT -> take(4);
            case DOUBLE -> take(8);
            case FIXED -> take(schema.getFixedSize());
            case STRING, BYTES -> {
                final long n = varint();
                if (n < 0 || n > end - pos) {
                    throw new SerializationException("a " + schema.getType().getName() + " claims " + n
                            + " bytes where " + (end - pos) + " remain");
                }
                take((int) n);
            }
            case ENUM -> {
                final long i = varint();
                if (i < 0 || i >= schema.getEnumSymbols().size()) {
                    throw new SerializationException("enum index " + i + " out of range");
                }
            }
            case UNION -> {
                final long i = varint();
                if (i < 0 || i >= schema.getTypes().size()) {
                    throw new SerializationException("union branch " + i + " out of range");
                }
                datum(schema.getTypes().get((int) i), depth + 1);
            }
            case RECORD -> {
                for (final Schema.Field f : schema.getFields()) {
                    datum(f.schema(), depth + 1);
                }
            }
            case ARRAY -> blocks(schema.getElementType(), null, depth);
            case MAP -> blocks(schema.getValueType(), Schema.create(Schema.Type.STRING), depth);
        }
    }

    /** Array or map blocks: a count (negative: followed by the block's size in bytes), items, until a 0 count. */
    private void blocks(final Schema item, final Schema key, final int depth) {
        long zeroSizeItems = 0;
        while (true) {
            long count = varint();
            if (count == 0) {
                return;
            }
            if (count < 0) {
                if (count == Long.MIN_VALUE) {
                    throw new SerializationException("collection count out of range");
                }
                count = -count;
                final long size = varint();
                if (size < 0 || size > end - pos) {
                    throw new SerializationException("a collection block claims " + size + " bytes where "
                            + (end - pos) + " remain");
                }
            }
            if (count > (end - pos) + MAX_ZERO_SIZE_ITEMS) {
                throw new SerializationException("a collection claims " + count + " items where " + (end - pos)
                        + " bytes remain");
            }
            for (long i = 0; i < count; i++) {
                final int before = pos;
                if (key != null) {
                    datum(key, depth + 1);
                }
                datum(item, depth + 1);
                if (pos == before && ++zeroSizeItems > MAX_ZERO_SIZE_ITEMS) {
                    throw new SerializationException("a collection claims more than " + MAX_ZERO_SIZE_ITEMS
                            + " items of no size");
                }
            }
        }
    }

    private void take(final int n) {
        if (n > end - pos) {
            throw new SerializationException("Avro record ends early");
        }
        pos += n;
    }

    /** A zig-zag varint of at most 10 bytes. */
    private long varint() {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw new SerializationException("Avro record ends early");
            }
            final int b = bytes[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new SerializationException("malformed Avro varint");
    }
}
