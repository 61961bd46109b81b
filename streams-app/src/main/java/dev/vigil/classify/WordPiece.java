package dev.vigil.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The sentence encoder's own tokenizer: BERT's uncased normaliser (lower case, accents stripped,
 * control characters dropped), split on white space and punctuation, then greedy longest-match
 * WordPiece over the encoder's vocabulary. The semantic tier's static vectors are indexed by the
 * same ids, so the fast tier and the encoder read a message the same way.
 *
 * <p>Thread-safe and immutable after loading.
 */
public final class WordPiece {
    /** The tokenizer file inside the encoder's Maven artifact. */
    public static final String RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    public static final int PAD = 0;
    public static final int UNK = 100;
    public static final int CLS = 101;
    public static final int SEP = 102;
    /** A longer word is one unknown token, as in the reference tokenizer. */
    private static final int MAX_WORD_CHARS = 100;

    private final String[] tokens;
    /** Word-initial pieces and continuation pieces (without their "##"), looked up without allocating. */
    private final CharTable initial;
    private final CharTable continuation;
    private final ThreadLocal<char[]> buffers = ThreadLocal.withInitial(() -> new char[256]);

    private WordPiece(final Map<String, Integer> vocab) {
        this.tokens = new String[vocab.size()];
        vocab.forEach((t, id) -> tokens[id] = t);
        initial = new CharTable(vocab.size());
        continuation = new CharTable(vocab.size());
        vocab.forEach((t, id) -> {
            if (t.startsWith("##") && t.length() > 2) {
                continuation.put(t.substring(2), id);
            } else {
                initial.put(t, id);
            }
        });
    }

    /** An open-addressing table from character sequences to ids. */
    private static final class CharTable {
        private final char[][] keys;
        private final int[] values;
        private final int mask;

        CharTable(final int expected) {
            int size = Integer.highestOneBit(Math.max(16, expected * 2)) << 1;
            keys = new char[size][];
            values = new int[size];
            mask = size - 1;
        }

        void put(final String key, final int value) {
            final char[] k = key.toCharArray();
            int slot = hash(k, 0, k.length) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = k;
            values[slot] = value;
        }

        int get(final char[] buf, final int from, final int to) {
            int slot = hash(buf, from, to) & mask;
            final int len = to - from;
            while (true) {
                final char[] k = keys[slot];
                if (k == null) {
                    return -1;
                }
                if (k.length == len && java.util.Arrays.equals(k, 0, len, buf, from, to)) {
                    return values[slot];
                }
                slot = (slot + 1) & mask;
            }
        }

        private static int hash(final char[] buf, final int from, final int to) {
            int h = 0x9E3779B9;
            for (int i = from; i < to; i++) {
                h = (h ^ buf[i]) * 0x01000193;
            }
            return h ^ (h >>> 16);
        }
    }

    /** Loads the vocabulary shipped with the encoder. */
    public static WordPiece load() {
        try (InputStream in = WordPiece.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("encoder tokenizer " + RESOURCE + " is not on the class path");
            }
            final JsonNode v = new ObjectMapper().readTree(in).path("model").path("vocab");
            final Map<String, Integer> vocab = new HashMap<>(v.size() * 2);
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> e = it.next();
                vocab.put(e.getKey(), e.getValue().asInt());
            }
            return new WordPiece(vocab);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int size() {
        return tokens.length;
    }

    public String token(final int id) {
        return tokens[id];
    }

    /**
     * Token ids of {@code text} without the [CLS]/[SEP] markers, at most {@code max}; returns how
     * many were written to {@code out}. A message with more stops at {@code max}: callers that
     * need the whole message pass a large enough buffer.
     */
    public int encode(final String text, final int[] out, final int max) {
        // ASCII needs no Unicode normalisation: lower-case it on the fly. Anything else goes
        // through BERT's full normaliser first.
        final String norm = isAscii(text) ? text : normalise(text);
        final int len = norm.length();
        char[] buf = buffers.get();
        if (buf.length < len) {
            buf = new char[Math.max(len, buf.length * 2)];
            buffers.set(buf);
        }
        int n = 0;
        int i = 0;
        while (i < len && n < max) {
            final char c = norm.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f) {
                // Control characters are dropped, not word breaks (BERT's clean_text).
                i++;
                continue;
            }
            if (c == ' ' || Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (isPunctuation(c)) {
                buf[0] = c;
                n = piece(buf, 0, 1, out, n, max);
                i++;
                continue;
            }
            int w = 0;
            while (i < len) {
                final char d = norm.charAt(i);
                if (d < 0x20 && d != '\t' && d != '\n' && d != '\r' || d == 0x7f) {
                    i++;
                    continue;
                }
                if (d == ' ' || Character.isWhitespace(d) || isPunctuation(d)) {
                    break;
                }
                buf[w++] = d >= 'A' && d <= 'Z' ? (char) (d + 32) : d;
                i++;
            }
            if (w > 0) {
                n = piece(buf, 0, w, out, n, max);
            }
        }
        return n;
    }

    /** Greedy longest-match-first WordPiece of one word, {@code buf[from, to)}. */
    private int piece(final char[] buf, final int from, final int to, final int[] out, int n, final int max) {
        if (to - from > MAX_WORD_CHARS) {
            out[n++] = UNK;
            return n;
        }
        final int start = n;
        int at = from;
        while (at < to) {
            int end = to;
            int id = -1;
            while (at < end) {
                id = at == from ? initial.get(buf, at, end) : continuation.get(buf, at, end);
                if (id >= 0) {
                    break;
                }
                end--;
            }
            if (id < 0) {
                // One unknown piece makes the whole word unknown, as in BERT.
                n = start;
                out[n++] = UNK;
                return n;
            }
            if (n >= max) {
                return n;
            }
            out[n++] = id;
            at = end;
        }
        return n;
    }

    /** BERT's uncased normaliser: control characters out, CJK spaced, accents stripped, lower case. */
    static String normalise(final String text) {
        final StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            final int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                continue;
            }
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                sb.append(' ');
            } else if (isCjk(cp)) {
                sb.append(' ').appendCodePoint(cp).append(' ');
            } else {
                sb.appendCodePoint(cp);
            }
        }
        String s = sb.toString().toLowerCase(java.util.Locale.ROOT);
        if (!isAscii(s)) {
            s = Normalizer.normalize(s, Normalizer.Form.NFD);
            final StringBuilder stripped = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                final char c = s.charAt(i);
                if (Character.getType(c) != Character.NON_SPACING_MARK) {
                    stripped.append(c);
                }
            }
            s = stripped.toString();
        }
        return s;
    }

    private static boolean isAscii(final String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 127) {
                return false;
            }
        }
        return true;
    }

    private static boolean isControl(final int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        final int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT;
    }

    private static boolean isPunctuation(final int cp) {
        if (cp >= 33 && cp <= 47 || cp >= 58 && cp <= 64 || cp >= 91 && cp <= 96 || cp >= 123 && cp <= 126) {
            return true;
        }
        final int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    private static boolean isCjk(final int cp) {
        return cp >= 0x4E00 && cp <= 0x9FFF || cp >= 0x3400 && cp <= 0x4DBF || cp >= 0x20000 && cp <= 0x2A6DF
                || cp >= 0x2A700 && cp <= 0x2B73F || cp >= 0x2B740 && cp <= 0x2B81F || cp >= 0x2B820 && cp <= 0x2CEAF
                || cp >= 0xF900 && cp <= 0xFAFF || cp >= 0x2F800 && cp <= 0x2FA1F;
    }
}
