package dev.vigil.ingest;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader judges every line on its own bytes: a line that is not UTF-8, not JSON, not an object
 * or too long is rejected with its line number and raw bytes, and the lines after it read exactly
 * as they would without it, however the input arrives in pieces.
 */
class EventReaderTest {

    /** What the reader made of each line: the outcome by line number, blank ones included. */
    private static List<BadLines.Outcome> read(final EventReader reader, final List<EventReader.Line> out)
            throws IOException {
        final List<BadLines.Outcome> outcomes = new ArrayList<>();
        EventReader.Line line;
        while ((line = reader.next()) != null) {
            while (outcomes.size() < line.number() - 1) {
                outcomes.add(BadLines.Outcome.BLANK);
            }
            outcomes.add(line.ok() ? BadLines.Outcome.EVENT
                    : BadLines.Outcome.valueOf(line.rejection().reason().name()));
            out.add(line);
        }
        while (outcomes.size() < reader.lineNumber()) {
            outcomes.add(BadLines.Outcome.BLANK);
        }
        return outcomes;
    }

    @Test
    void shouldRejectEachBadLineAloneAndReadEveryOtherLine() throws Exception {
        final BadLines file = new BadLines("r", 1).everyKind();
        final List<BadLines.Line> expected = file.lines();
        for (final boolean finalNewline : new boolean[] {true, false}) {
            for (final int seed : new int[] {0, 1, 2}) {
                // Whole, one byte at a time, and in random pieces: the same lines either way.
                final InputStream in = seed == 0 ? new ByteArrayInputStream(file.file(finalNewline))
                        : new Pieces(file.file(finalNewline), seed == 1 ? 1 : 0, seed);
                final List<EventReader.Line> lines = new ArrayList<>();
                final EventReader reader = new EventReader(in);
                final List<BadLines.Outcome> outcomes = read(reader, lines);
                assertEquals(expected.size(), outcomes.size(), "every line is counted");
                for (int i = 0; i < expected.size(); i++) {
                    assertEquals(expected.get(i).outcome(), outcomes.get(i), "line " + (i + 1) + ": "
                            + expected.get(i).name());
                }
                final long blank = expected.stream().filter(l -> l.outcome() == BadLines.Outcome.BLANK).count();
                assertEquals(blank, reader.blankLines());
                assertEquals(file.file(finalNewline).length, reader.bytesRead());
                for (final EventReader.Line line : lines) {
                    final byte[] original = expected.get((int) line.number() - 1).bytes();
                    final byte[] withoutCr = original.length > 0 && original[original.length - 1] == '\r'
                            ? Arrays.copyOf(original, original.length - 1) : original;
                    assertArrayEquals(withoutCr, line.bytes(), "line " + line.number() + " keeps its raw bytes");
                    assertEquals(withoutCr.length, line.size());
                    assertFalse(line.truncated());
                    if (!line.ok()) {
                        assertFalse(line.error().contains("hello") || line.error().contains("world"),
                                "the error never quotes the line: " + line.error());
                    }
                }
            }
        }
        final long invalid = expected.stream().filter(l -> l.outcome() == BadLines.Outcome.INVALID_UTF8).count();
        assertEquals(3L * BadLines.INVALID_UTF8.size(), invalid, "every sequence at the start, middle and end");
    }

    @Test
    void shouldSayWhereTheLineStopsBeingUtf8() throws Exception {
        final byte[] line = BadLines.concat("{\"a\": \"ab".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC0,
            (byte) 0x80}, "\"}".getBytes(StandardCharsets.UTF_8));
        final EventReader.Line l = new EventReader(new ByteArrayInputStream(line)).next();
        assertEquals(DeadLetterReason.INVALID_UTF8, l.rejection().reason());
        assertEquals("not valid UTF-8 at byte 10 of 13", l.rejection().error());
        assertNull(l.conversationId());
    }

    @Test
    void shouldKeepOnlyTheStartSizeAndHashOfALineTooLongToHold() throws Exception {
        final int max = 4096;
        final BadLines f = new BadLines("o", 2);
        final byte[] huge = f.event(f.letters(3 * max));
        final byte[] hugeInvalid = BadLines.concat(f.event(f.letters(max)), new byte[] {(byte) 0xFF});
        final byte[] exactlyMax = Arrays.copyOf(BadLines.concat(f.event(""), " ".repeat(max).getBytes(StandardCharsets.UTF_8)),
                max);
        final byte[] justOver = Arrays.copyOf(BadLines.concat(f.event(""), " ".repeat(max + 1).getBytes(StandardCharsets.UTF_8)),
                max + 1);
        f.good("before").add("huge event", huge, BadLines.Outcome.OVERSIZE_LINE).good("between")
                .add("huge and not UTF-8", hugeInvalid, BadLines.Outcome.OVERSIZE_LINE)
                .add("exactly the limit", exactlyMax, BadLines.Outcome.EVENT)
                .add("one byte over", justOver, BadLines.Outcome.OVERSIZE_LINE)
                .add("huge whitespace", " ".repeat(5 * max).getBytes(StandardCharsets.UTF_8), BadLines.Outcome.OVERSIZE_LINE)
                .good("after").add("huge at the very end", f.event(f.letters(2 * max)), BadLines.Outcome.OVERSIZE_LINE);
        for (final int seed : new int[] {0, 3}) {
            final EventReader reader = new EventReader(seed == 0 ? new ByteArrayInputStream(f.file(false))
                    : new Pieces(f.file(false), 0, seed), max);
            final List<EventReader.Line> lines = new ArrayList<>();
            final List<BadLines.Outcome> outcomes = read(reader, lines);
            assertEquals(f.lines().stream().map(BadLines.Line::outcome).toList(), outcomes);
            for (final EventReader.Line line : lines) {
                final byte[] original = f.lines().get((int) line.number() - 1).bytes();
                assertEquals(original.length, line.size());
                assertEquals(DeadLetters.sha256(original, original.length), line.sha256());
                if (line.rejection() != null && line.rejection().reason() == DeadLetterReason.OVERSIZE_LINE) {
                    assertTrue(line.truncated());
                    assertEquals(max, line.bytes().length, "holds no more than the limit");
                    assertArrayEquals(Arrays.copyOf(original, max), line.bytes());
                    assertTrue(line.rejection().error().contains(original.length + " bytes"), line.rejection().error());
                } else {
                    assertArrayEquals(original, line.bytes());
                }
            }
        }
    }

    @Test
    void shouldSkipAByteOrderMarkBeforeTheFirstLineOnly() throws Exception {
        final BadLines f = new BadLines("b", 3);
        final byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        f.add("good line after a BOM", BadLines.concat(bom, f.event("one")), BadLines.Outcome.EVENT).good("two");
        final List<BadLines.Outcome> outcomes = read(new EventReader(new ByteArrayInputStream(f.file(true))), new ArrayList<>());
        assertEquals(List.of(BadLines.Outcome.EVENT, BadLines.Outcome.EVENT), outcomes);
    }

    @Test
    void shouldRejectLoneSurrogatesInTextGivenAsCharacters() throws Exception {
        final BadLines f = new BadLines("s", 4);
        final String ok = new String(f.event("pair \ud83d\ude00 fine"), StandardCharsets.UTF_8);
        final String text = ok + "\n" + new String(f.event("x"), StandardCharsets.UTF_8).replace("\"x\"", "\"\ud800 lone high\"")
                + "\n" + new String(f.event("y"), StandardCharsets.UTF_8).replace("\"y\"", "\"lone low \udfff\"")
                + "\n" + new String(f.event("z"), StandardCharsets.UTF_8).replace("\"z\"", "\"reversed \ude00\ud83d\"")
                + "\n" + ok + "\n" + "{\"high at the very end\ud83d";
        final List<BadLines.Outcome> outcomes = read(new EventReader(new StringReader(text)), new ArrayList<>());
        assertEquals(List.of(BadLines.Outcome.EVENT, BadLines.Outcome.INVALID_UTF8, BadLines.Outcome.INVALID_UTF8,
                BadLines.Outcome.INVALID_UTF8, BadLines.Outcome.EVENT, BadLines.Outcome.INVALID_UTF8), outcomes);
    }

    /** An input that hands out its bytes in pieces of {@code fixed} bytes, or random 1..100 if 0. */
    private static final class Pieces extends FilterInputStream {
        private final int fixed;
        private final Random random;

        Pieces(final byte[] bytes, final int fixed, final long seed) {
            super(new ByteArrayInputStream(bytes));
            this.fixed = fixed;
            this.random = new Random(seed);
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            return super.read(b, off, Math.min(len, fixed > 0 ? fixed : 1 + random.nextInt(100)));
        }
    }
}
