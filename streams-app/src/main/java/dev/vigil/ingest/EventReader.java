package dev.vigil.ingest;

import dev.vigil.schema.ConversationEvent;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads JSON lines of conversation events line by line through {@link JsonEvents#parse}, saying for
 * each line whether it became an event and, if not, why (with its line number), so callers can
 * report or dead-letter bad lines instead of dropping them. Blank lines are skipped and counted.
 * {@code vigil produce}, {@code vigil classify}, {@code vigil eval} and {@code vigil train} all
 * read events through it, so one set of rules decides what a line is.
 */
public final class EventReader implements Closeable {

    /**
     * One line: either an event or the reason it is not one, with the conversation id the line
     * named (the dead-letter key), if it named one.
     */
    public record Line(long number, String raw, ConversationEvent event, Rejection rejection, String conversationId) {
        public boolean ok() {
            return event != null;
        }

        /** {@code missing-field: account_id is missing}: the reason code and the error, never the text. */
        public String error() {
            return rejection == null ? null : rejection.reason().code() + ": " + rejection.error();
        }
    }

    private final BufferedReader reader;
    private final CountingInputStream counter;
    private long lineNumber;
    private long blankLines;

    public EventReader(final InputStream in) {
        this.counter = new CountingInputStream(in);
        this.reader = new BufferedReader(new InputStreamReader(counter, StandardCharsets.UTF_8), 1 << 16);
    }

    /** Over text already decoded, e.g. standard input. */
    public EventReader(final Reader in) {
        this.counter = null;
        this.reader = in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16);
    }

    public static EventReader open(final Path path) throws IOException {
        return new EventReader(Files.newInputStream(path));
    }

    /** The next non-blank line, or null at the end of the input. */
    public Line next() throws IOException {
        String raw;
        while (true) {
            raw = reader.readLine();
            if (raw == null) {
                return null;
            }
            lineNumber++;
            if (!raw.isBlank()) {
                break;
            }
            blankLines++;
        }
        final JsonEvents.Parsed parsed = JsonEvents.parse(raw);
        return new Line(lineNumber, raw, parsed.event(), parsed.rejection(), parsed.conversationId());
    }

    /** The number of the last line read (blank ones included). */
    public long lineNumber() {
        return lineNumber;
    }

    /** Blank lines skipped so far. */
    public long blankLines() {
        return blankLines;
    }

    /** Bytes consumed so far (read ahead by the buffer), for progress reporting; 0 over a {@link Reader}. */
    public long bytesRead() {
        return counter == null ? 0 : counter.count;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    private static final class CountingInputStream extends java.io.FilterInputStream {
        long count;

        CountingInputStream(final InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            final int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            final int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
