package dev.vigil.ingest;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * The dead-letter record format: the original key and value bytes, the original headers, and
 * {@code vigil.dlq.*} headers that say why and where from. The error header is a short
 * description written by Vigil, never the record's text.
 */
public final class DeadLetters {
    public static final String REASON = "vigil.dlq.reason";
    public static final String ERROR = "vigil.dlq.error";
    public static final String TOPIC = "vigil.dlq.topic";
    public static final String PARTITION = "vigil.dlq.partition";
    public static final String OFFSET = "vigil.dlq.offset";
    /** For records rejected before they reached Kafka ({@code vigil produce}): the input file. */
    public static final String SOURCE = "vigil.dlq.source";
    /** For records rejected by {@code vigil produce}: the 1-based line number in the input file. */
    public static final String LINE = "vigil.dlq.line";

    /**
     * For a dead letter whose value is not the whole original (it was too large): the original's
     * size in bytes. The value then holds the first bytes of it, at most {@link #TRUNCATED_VALUE_BYTES}.
     */
    public static final String ORIGINAL_SIZE = "vigil.dlq.original.size";
    /** With {@link #ORIGINAL_SIZE}: the SHA-256 of the whole original, in lower-case hex. */
    public static final String SHA256 = "vigil.dlq.sha256";

    /** The most bytes of an original kept in a dead letter that cannot hold all of it. */
    public static final int TRUNCATED_VALUE_BYTES = 64 * 1024;
    /** Set when the original headers were too large to keep: how many were dropped. */
    public static final String HEADERS_DROPPED = "vigil.dlq.headers-dropped";
    /**
     * Largest value a dead letter from the stream carries. The producer refuses records over
     * {@code max.request.size} (1 MiB by default) and, under exactly-once, a refused send fails
     * the stream thread, which reads the same record again: a record too large to dead-letter
     * would loop forever. Larger values are cut to this, with their size and hash kept.
     */
    public static final int MAX_VALUE_BYTES = 768 * 1024;
    /** Largest total of a record's own headers kept on its dead letter. */
    public static final int MAX_HEADER_BYTES = 64 * 1024;

    /** Error descriptions are cut to this length so a header never grows with the input. */
    static final int MAX_ERROR_CHARS = 300;

    private DeadLetters() {
    }

    /** A copy of {@code original} with the headers of a record rejected from {@code topic}. */
    public static Headers fromTopic(final Headers original, final DeadLetterReason reason, final String error,
                                    final String topic, final int partition, final long offset) {
        final Headers headers = new RecordHeaders(original == null ? new org.apache.kafka.common.header.Header[0]
                : original.toArray());
        put(headers, REASON, reason.code());
        put(headers, ERROR, error);
        put(headers, TOPIC, topic);
        put(headers, PARTITION, Integer.toString(partition));
        put(headers, OFFSET, Long.toString(offset));
        return headers;
    }

    /** Headers of a line of an input file that {@code vigil produce} could not turn into an event. */
    public static Headers fromFile(final DeadLetterReason reason, final String error, final String source,
                                   final long line) {
        final Headers headers = new RecordHeaders();
        put(headers, REASON, reason.code());
        put(headers, ERROR, error);
        put(headers, SOURCE, source);
        put(headers, LINE, Long.toString(line));
        return headers;
    }

    /**
     * {@code value}, or its first {@link #MAX_VALUE_BYTES} bytes when it is larger, in which
     * case its size and SHA-256 are added to {@code headers}.
     */
    public static byte[] fitValue(final byte[] value, final Headers headers) {
        if (value == null || value.length <= MAX_VALUE_BYTES) {
            return value;
        }
        truncated(headers, value.length, sha256(value, value.length));
        return java.util.Arrays.copyOf(value, MAX_VALUE_BYTES);
    }

    /**
     * {@code headers}, or only Vigil's own when the record's headers add up to more than
     * {@link #MAX_HEADER_BYTES} (how many were dropped is kept).
     */
    public static Headers fitHeaders(final Headers headers) {
        long size = 0;
        int count = 0;
        for (final org.apache.kafka.common.header.Header h : headers) {
            if (!h.key().startsWith("vigil.dlq.")) {
                size += h.key().length() + (h.value() == null ? 0 : h.value().length);
                count++;
            }
        }
        if (size <= MAX_HEADER_BYTES) {
            return headers;
        }
        final Headers kept = new RecordHeaders();
        for (final org.apache.kafka.common.header.Header h : headers) {
            if (h.key().startsWith("vigil.dlq.")) {
                kept.add(h);
            }
        }
        put(kept, HEADERS_DROPPED, Integer.toString(count));
        return kept;
    }

    /** Says in {@code headers} that the dead letter holds part of an original of {@code size} bytes with this hash. */
    public static Headers truncated(final Headers headers, final long size, final String sha256) {
        put(headers, ORIGINAL_SIZE, Long.toString(size));
        put(headers, SHA256, sha256);
        return headers;
    }

    /**
     * The first bytes of {@code value}, at most {@code max}, cut before a UTF-8 sequence that would
     * not fit (so a valid UTF-8 original stays valid); {@code value} itself if it is not longer.
     */
    public static byte[] head(final byte[] value, final int length, final int max) {
        if (length <= max) {
            return length == value.length ? value : java.util.Arrays.copyOf(value, length);
        }
        int cut = max;
        // Back over continuation bytes (10xxxxxx) to the lead byte of the sequence cut in two.
        for (int i = 0; i < 3 && cut > 0 && (value[cut] & 0xC0) == 0x80; i++) {
            cut--;
        }
        if ((value[cut] & 0xC0) == 0x80) {
            cut = max;
        }
        return java.util.Arrays.copyOf(value, cut);
    }

    /** The SHA-256 of {@code length} bytes of {@code value}, lower-case hex. */
    public static String sha256(final byte[] value, final int length) {
        try {
            final java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            digest.update(value, 0, length);
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (final java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value of header {@code key} as a string, or null. */
    public static String header(final Headers headers, final String key) {
        final org.apache.kafka.common.header.Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void put(final Headers headers, final String key, final String value) {
        headers.remove(key);
        final String v = value == null ? "" : value.length() > MAX_ERROR_CHARS ? value.substring(0, MAX_ERROR_CHARS) : value;
        headers.add(key, v.getBytes(StandardCharsets.UTF_8));
    }
}
