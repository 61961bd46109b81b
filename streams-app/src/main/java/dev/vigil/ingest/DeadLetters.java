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
