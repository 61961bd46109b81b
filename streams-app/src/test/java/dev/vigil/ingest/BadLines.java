package dev.vigil.ingest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A JSON-lines file with every kind of bad line at many places among good ones, and what each
 * line must become: an event, a dead letter with a given reason, or a blank line. Shared by the
 * reader's unit test and the broker test of {@code vigil produce}.
 */
public final class BadLines {
    /** What a line must become. */
    public enum Outcome { EVENT, BLANK, INVALID_UTF8, MALFORMED_JSON, MISSING_FIELD, INVALID_FIELD, OVERSIZE_LINE,
        RECORD_TOO_LARGE }

    /** One line: a name for messages, its bytes, and what it must become. */
    public record Line(String name, byte[] bytes, Outcome outcome) {
        public String reason() {
            return outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Byte sequences that are not UTF-8, each with what it is. */
    public static final List<String[]> INVALID_UTF8 = List.of(
            new String[] {"lone continuation byte", "80"},
            new String[] {"continuation bytes only", "bfbfbf"},
            new String[] {"0xff", "ff"},
            new String[] {"0xfe", "fe"},
            new String[] {"overlong NUL (modified UTF-8)", "c080"},
            new String[] {"overlong 2-byte", "c1bf"},
            new String[] {"overlong 3-byte slash", "e080af"},
            new String[] {"overlong 4-byte slash", "f08080af"},
            new String[] {"encoded high surrogate U+D800", "eda080"},
            new String[] {"encoded low surrogate U+DFFF", "edbfbf"},
            new String[] {"encoded surrogate pair (CESU-8)", "eda0bdedb880"},
            new String[] {"3-byte sequence cut short", "e282"},
            new String[] {"4-byte sequence cut short", "f09f98"},
            new String[] {"lead byte then ASCII", "c328"},
            new String[] {"above U+10FFFF", "f4908080"},
            new String[] {"0xf5 lead byte", "f5808080"},
            new String[] {"Latin-1 e-acute", "e9"},
            new String[] {"Windows-1252 quotes", "9394"});

    private static final String OK_FIELDS = "\"account_id\": \"a1\", \"role\": \"HUMAN\", "
            + "\"timestamp\": \"2026-01-05T09:00:00Z\"";

    private final String prefix;
    private final Random random;
    private final List<Line> lines = new ArrayList<>();
    private int good;

    public BadLines(final String prefix, final long seed) {
        this.prefix = prefix;
        this.random = new Random(seed);
    }

    /** An event line with {@code text} spliced in as raw bytes (so they may be anything). */
    public byte[] event(final byte[] text) {
        final int n = good++;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("{\"event_id\": \"" + prefix + "-e" + n + "\", \"conversation_id\": \"" + prefix + "-c" + (n % 7)
                + "\", \"turn\": " + n + ", " + OK_FIELDS + ", \"text\": \"").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(text);
        out.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    public byte[] event(final String text) {
        return event(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The id of the next event line {@link #event} makes. */
    public String nextEventId() {
        return prefix + "-e" + good;
    }

    public BadLines add(final String name, final byte[] bytes, final Outcome outcome) {
        lines.add(new Line(name, bytes, outcome));
        return this;
    }

    public BadLines good(final String text) {
        return add("good: " + text, event(text.replace('"', '\'').replace('\\', '/')), Outcome.EVENT);
    }

    /** Random letters: text no compression shrinks much. */
    public String letters(final int n) {
        final StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
            if (random.nextInt(9) == 0) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    /**
     * Every kind of bad line the reader alone can judge, each followed by a good line (which must
     * still arrive), invalid UTF-8 at the start, middle and end of a line.
     */
    public BadLines everyKind() {
        good("first line, before any trouble");
        for (final String[] bad : INVALID_UTF8) {
            final byte[] seq = HexFormat.of().parseHex(bad[1]);
            add(bad[0] + " in the text", event(concat(ascii("hello "), seq, ascii(" world"))), Outcome.INVALID_UTF8);
            good("after " + bad[0]);
            add(bad[0] + " at the start of the line", concat(seq, event("x")), Outcome.INVALID_UTF8);
            add(bad[0] + " at the end of the line", concat(event("y"), seq), Outcome.INVALID_UTF8);
            good("after " + bad[0] + " at the end");
        }
        add("valid UTF-8 of every length", event("caf\u00e9 \u20ac \u4e2d\u6587 \ud83d\ude00 \ufffe"), Outcome.EVENT);
        add("raw NUL inside the text", event(concat(ascii("a"), new byte[] {0}, ascii("b"))), Outcome.MALFORMED_JSON);
        good("after a raw NUL");
        add("NUL bytes only", new byte[] {0, 0, 0}, Outcome.MALFORMED_JSON);
        add("NUL before the object", concat(new byte[] {0}, event("z")), Outcome.MALFORMED_JSON);
        add("escaped NUL is text", event("a\\u0000b"), Outcome.EVENT);
        add("raw tab and control characters in the text", event("a\tb\u0001c"), Outcome.MALFORMED_JSON);
        for (final String notObject : List.of("[1, 2, 3]", "\"a string\"", "42", "null", "true", "[{\"event_id\": 1}]",
                "{", "}", "{\"event_id\": ", "not json at all", "{'single': 'quotes'}", "{\"a\": 1,}")) {
            add("not an event object: " + notObject, ascii(notObject), Outcome.MALFORMED_JSON);
            good("after " + notObject);
        }
        final byte[] one = event("one");
        final byte[] two = event("two");
        add("two objects on one line", concat(one, ascii(" "), two), Outcome.MALFORMED_JSON);
        add("an object then junk", concat(event("three"), ascii(" trailing")), Outcome.MALFORMED_JSON);
        add("a field given twice", ascii("{\"text\": \"a\", \"text\": \"b\", \"event_id\": \"x\"}"), Outcome.MALFORMED_JSON);
        add("missing account id", ascii("{\"event_id\": \"" + prefix + "-m\", \"conversation_id\": \"" + prefix
                + "-c0\", \"turn\": 1, \"role\": \"HUMAN\", \"text\": \"x\", \"timestamp\": \"2026-01-05T09:00:00Z\"}"),
                Outcome.MISSING_FIELD);
        add("turn not a number", ascii("{\"event_id\": \"" + prefix + "-t\", \"conversation_id\": \"" + prefix
                + "-c0\", \"account_id\": \"a\", \"turn\": \"one\", \"role\": \"HUMAN\", \"text\": \"x\", "
                + "\"timestamp\": \"2026-01-05T09:00:00Z\"}"), Outcome.INVALID_FIELD);
        for (final String blank : List.of("", " ", "\t\t", "\r", "  \r", "\u2003\u3000")) {
            add("blank '" + blank.replace("\r", "\\r").replace("\t", "\\t") + "'", blank.getBytes(StandardCharsets.UTF_8), Outcome.BLANK);
        }
        add("windows line end", concat(event("crlf"), ascii("\r")), Outcome.EVENT);
        good("last good line");
        return this;
    }

    public List<Line> lines() {
        return lines;
    }

    /** The file: the lines joined by {@code \n}; with {@code finalNewline}, one after the last too. */
    public byte[] file(final boolean finalNewline) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            out.writeBytes(lines.get(i).bytes());
            if (i < lines.size() - 1 || finalNewline) {
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    public static byte[] ascii(final String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
