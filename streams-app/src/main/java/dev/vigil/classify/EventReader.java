package dev.vigil.classify;

import dev.vigil.schema.ConversationEvent;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a JSONL file of conversation events line by line, saying for each line whether it parsed
 * and, if not, why (with its line number), so callers can report or dead-letter bad lines instead
 * of dropping them. Blank lines are skipped.
 */
public final class EventReader implements Closeable {

    /** One line: either an event or the reason it is not one. */
    public record Line(long number, String raw, ConversationEvent event, String error) {
        public boolean ok() {
            return event != null;
        }
    }

    private final BufferedReader reader;
    private final CountingInputStream counter;
    private long lineNumber;

    public EventReader(final InputStream in) {
        this.counter = new CountingInputStream(in);
        this.reader = new BufferedReader(new InputStreamReader(counter, StandardCharsets.UTF_8), 1 << 16);
    }

    public static EventReader open(final Path path) throws IOException {
        return new EventReader(Files.newInputStream(path));
    }

    /** The next non-blank line, or null at the end of the input. */
    public Line next() throws IOException {
        String raw;
        do {
            raw = reader.readLine();
            if (raw == null) {
                return null;
            }
            lineNumber++;
        } while (raw.isBlank());
        try {
            return new Line(lineNumber, raw, EventJson.parse(raw), null);
        } catch (final EventJson.FormatException e) {
            return new Line(lineNumber, raw, null, e.getMessage());
        }
    }

    /** Bytes consumed so far (read ahead by the buffer), for progress reporting. */
    public long bytesRead() {
        return counter.count;
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
