package dev.vigil.ingest;

import dev.vigil.schema.ConversationEvent;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads JSON lines of conversation events line by line through {@link JsonEvents#parse}, saying for
 * each line whether it became an event and, if not, why (with its line number), so callers can
 * report or dead-letter bad lines instead of dropping them. Blank lines are skipped and counted.
 * {@code vigil produce}, {@code vigil classify}, {@code vigil eval} and {@code vigil train} all
 * read events through it, so one set of rules decides what a line is.
 *
 * <p>It reads bytes, not text: a line ends at {@code \n} (a {@code \r} before it is dropped, as
 * JSON Lines allows), and each line is decoded as strict UTF-8 on its own. A line that is not
 * valid UTF-8 (a stray byte, an overlong form, an encoded surrogate, a sequence cut short) is
 * rejected as {@link DeadLetterReason#INVALID_UTF8} with its raw bytes, and the next line reads as
 * if nothing happened. A line longer than {@code maxLineBytes} is not held whole: its first bytes,
 * its size and the SHA-256 of all of it are kept and it is rejected as
 * {@link DeadLetterReason#OVERSIZE_LINE}, so no line can exhaust memory.
 */
public final class EventReader implements Closeable {
    /** Longest line read whole by default (8 MiB): far past any event the producer can send. */
    public static final int DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

    /**
     * One line: either an event or the reason it is not one, with the conversation id the line
     * named (the dead-letter key), if it named one.
     *
     * @param bytes  the line's bytes without its line break; for an oversize line only the first ones
     * @param size   the line's size in bytes (more than {@code bytes.length} for an oversize line)
     * @param sha256 the SHA-256 of the whole line when it was too long to keep, else null (see {@link #sha256()})
     */
    public record Line(long number, byte[] bytes, long size, String sha256, ConversationEvent event,
                       Rejection rejection, String conversationId) {
        public boolean ok() {
            return event != null;
        }

        /** {@code missing-field: account_id is missing}: the reason code and the error, never the text. */
        public String error() {
            return rejection == null ? null : rejection.reason().code() + ": " + rejection.error();
        }

        /** Whether {@link #bytes()} holds only the start of the line. */
        public boolean truncated() {
            return bytes.length < size;
        }

        /** The SHA-256 of the whole line, lower-case hex. */
        @Override
        public String sha256() {
            return sha256 != null ? sha256 : DeadLetters.sha256(bytes, bytes.length);
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] chunk = new byte[1 << 16];
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private int pos;
    private int limit;
    private boolean eof;
    private long bytesRead;
    private long lineNumber;
    private long blankLines;

    /** The line being read: its first bytes, its size, and its digest once it outgrew the buffer. */
    private byte[] line = new byte[1024];
    private int kept;
    private long size;
    private MessageDigest overflow;

    public EventReader(final InputStream in) {
        this(in, DEFAULT_MAX_LINE_BYTES);
    }

    public EventReader(final InputStream in, final int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive");
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Over text already decoded, e.g. a test's string. The text is read back as UTF-8, so the same
     * rules apply; a lone surrogate in it comes out as bytes that are not valid UTF-8.
     */
    public EventReader(final Reader in) {
        this(new Utf8Encoding(in), DEFAULT_MAX_LINE_BYTES);
    }

    public static EventReader open(final Path path) throws IOException {
        return new EventReader(Files.newInputStream(path));
    }

    /** The next non-blank line, or null at the end of the input. */
    public Line next() throws IOException {
        while (readLine()) {
            lineNumber++;
            if (lineNumber == 1 && kept >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB
                    && (line[2] & 0xFF) == 0xBF && kept == size) {
                // A byte-order mark before the first line is not part of it.
                System.arraycopy(line, 3, line, 0, kept - 3);
                kept -= 3;
                size -= 3;
            }
            if (overflow != null) {
                final String digest = HexFormat.of().formatHex(overflow.digest());
                return new Line(lineNumber, java.util.Arrays.copyOf(line, kept), size, digest, null,
                        new Rejection(DeadLetterReason.OVERSIZE_LINE, "the line is " + size + " bytes, more than the "
                                + maxLineBytes + " a line may have"), null);
            }
            final byte[] bytes = java.util.Arrays.copyOf(line, kept);
            final String text;
            try {
                text = decode(bytes);
            } catch (final InvalidUtf8 e) {
                return new Line(lineNumber, bytes, size, null, null, new Rejection(DeadLetterReason.INVALID_UTF8,
                        "not valid UTF-8 at byte " + (e.offset + 1) + " of " + size), null);
            }
            if (text.isBlank()) {
                blankLines++;
                continue;
            }
            JsonEvents.Parsed parsed;
            try {
                parsed = JsonEvents.parse(text);
            } catch (final RuntimeException e) {
                parsed = new JsonEvents.Parsed(null, new Rejection(DeadLetterReason.MALFORMED_JSON,
                        "not readable as JSON (" + e.getClass().getSimpleName() + ")"), null);
            }
            return new Line(lineNumber, bytes, size, null, parsed.event(), parsed.rejection(), parsed.conversationId());
        }
        return null;
    }

    /** The number of the last line read (blank ones included). */
    public long lineNumber() {
        return lineNumber;
    }

    /** Blank lines skipped so far. */
    public long blankLines() {
        return blankLines;
    }

    /** Bytes consumed so far (read ahead by the buffer), for progress reporting. */
    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Reads up to the next {@code \n} into {@link #line}; false at the end of the input with nothing read. */
    private boolean readLine() throws IOException {
        kept = 0;
        size = 0;
        overflow = null;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                if (eof) {
                    break;
                }
                final int n = in.read(chunk);
                if (n < 0) {
                    eof = true;
                    break;
                }
                bytesRead += n;
                pos = 0;
                limit = n;
                continue;
            }
            any = true;
            int end = pos;
            while (end < limit && chunk[end] != '\n') {
                end++;
            }
            append(chunk, pos, end - pos);
            final boolean newline = end < limit;
            pos = newline ? end + 1 : limit;
            if (newline) {
                break;
            }
        }
        if (!any) {
            return false;
        }
        if (overflow == null && kept > 0 && line[kept - 1] == '\r') {
            kept--;
            size--;
        }
        return true;
    }

    private void append(final byte[] src, final int off, final int n) {
        if (n == 0) {
            return;
        }
        size += n;
        final int keep = (int) Math.min(n, Math.max(0, maxLineBytes - kept));
        if (keep > 0) {
            if (kept + keep > line.length) {
                line = java.util.Arrays.copyOf(line, (int) Math.min(maxLineBytes, Math.max(2L * line.length, kept + keep)));
            }
            System.arraycopy(src, off, line, kept, keep);
            kept += keep;
        }
        if (keep < n) {
            if (overflow == null) {
                overflow = sha256();
                overflow.update(line, 0, kept);
            }
            overflow.update(src, off + keep, n - keep);
        }
    }

    private String decode(final byte[] bytes) throws InvalidUtf8 {
        decoder.reset();
        final ByteBuffer source = ByteBuffer.wrap(bytes);
        final CharBuffer text = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(source, text, true);
        if (!r.isError()) {
            r = decoder.flush(text);
        }
        if (r.isError()) {
            throw new InvalidUtf8(source.position());
        }
        return text.flip().toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class InvalidUtf8 extends Exception {
        final int offset;

        InvalidUtf8(final int offset) {
            super(null, null, false, false);
            this.offset = offset;
        }
    }

    /**
     * Characters back to UTF-8 bytes. A lone surrogate is written as the three bytes UTF-8 would
     * give its code point, which strict UTF-8 forbids, so it is rejected like one read from a file.
     */
    private static final class Utf8Encoding extends InputStream {
        private final Reader reader;
        private final char[] chars = new char[8192];
        private final byte[] bytes = new byte[8192 * 3 + 4];
        private int pos;
        private int limit;
        private int pendingHigh = -1;
        private boolean eof;

        Utf8Encoding(final Reader reader) {
            this.reader = reader;
        }

        @Override
        public int read() throws IOException {
            final byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            while (pos == limit) {
                if (eof) {
                    return -1;
                }
                fill();
            }
            final int n = Math.min(len, limit - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }

        private void fill() throws IOException {
            pos = 0;
            limit = 0;
            final int n = reader.read(chars);
            if (n < 0) {
                eof = true;
                if (pendingHigh >= 0) {
                    put3(pendingHigh);
                    pendingHigh = -1;
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                final char c = chars[i];
                if (pendingHigh >= 0) {
                    final int high = pendingHigh;
                    pendingHigh = -1;
                    if (Character.isLowSurrogate(c)) {
                        final int cp = Character.toCodePoint((char) high, c);
                        bytes[limit++] = (byte) (0xF0 | (cp >> 18));
                        bytes[limit++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                        bytes[limit++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                        bytes[limit++] = (byte) (0x80 | (cp & 0x3F));
                        continue;
                    }
                    put3(high);
                }
                if (Character.isHighSurrogate(c)) {
                    pendingHigh = c;
                } else if (c < 0x80) {
                    bytes[limit++] = (byte) c;
                } else if (c < 0x800) {
                    bytes[limit++] = (byte) (0xC0 | (c >> 6));
                    bytes[limit++] = (byte) (0x80 | (c & 0x3F));
                } else {
                    put3(c);
                }
            }
        }

        private void put3(final int c) {
            bytes[limit++] = (byte) (0xE0 | (c >> 12));
            bytes[limit++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            bytes[limit++] = (byte) (0x80 | (c & 0x3F));
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
