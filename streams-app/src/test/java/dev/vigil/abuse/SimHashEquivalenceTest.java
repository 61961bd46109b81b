package dev.vigil.abuse;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The allocation-free {@link SimHash#ofText} must give exactly the fingerprints of the original
 * implementation (kept here as {@link #reference}): the coordinated-abuse measurement and any
 * fingerprints already in the signals topic depend on them. Checked on the real comment texts of
 * {@code abuse-youtube} and on generated texts full of what the normalisation folds away
 * (accents, full-width forms, ligatures, emoji, repeated letters, digits, odd spacing).
 */
class SimHashEquivalenceTest {

    @Test
    void shouldGiveTheOriginalFingerprintsForRealComments() throws IOException {
        final Path events = Path.of(System.getProperty("vigil.shared.data", "../../shared/data"),
                "abuse-youtube", "events.jsonl");
        final List<String> texts = new ArrayList<>();
        final ObjectMapper json = new ObjectMapper();
        try (BufferedReader r = Files.newBufferedReader(events)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    texts.add(json.readTree(line).get("text").asText());
                }
            }
        }
        assertTrue(texts.size() > 1000, "abuse-youtube should have over a thousand comments, read " + texts.size());
        int usable = 0;
        for (final String text : texts) {
            final long expected = reference(text);
            assertEquals(expected, SimHash.ofText(text), () -> "fingerprint differs for a comment of length " + text.length());
            if (expected != SimHash.NONE) {
                usable++;
            }
        }
        assertTrue(usable > texts.size() / 2, "most comments should get a usable fingerprint");
    }

    @Test
    void shouldGiveTheOriginalFingerprintsForGeneratedTexts() {
        final String[] pieces = {"earn", "EARN", "Éarn", "ｅａｒｎ", "money", "mooooney", "ﬁnance", "café", "cafe\u0301",
                "500", "$700", "x9", "b4", "la", "LA", "lalala", "!!!", "...", " ", "  ", "\t", "\n", "😀", "🔥🔥",
                "\uD83D", "naïve", "Straße", "İstanbul", "ǅemal", "①", "²", "½", "ª", "日本語", "привет", "مرحبا",
                "a", "aa", "ab", "ba", "check", "out", "my", "channel", "subscribe", "-", "_", "'", "’", "i'm",
                "https://x.y/z?id=42", "\u00A0", "\u200B", "\u0301", "ß", "Ω", "ω", "Ｗ", "ʰ", "ᵃ", "soooo", "cool"};
        final Random random = new Random(7);
        for (int n = 0; n < 5000; n++) {
            final StringBuilder b = new StringBuilder();
            // Every tenth text is tiny (the too-short rule), every 25th long enough (hundreds of word and
            // bigram features) to overflow the byte-wide counters the fast path flushes.
            final int count = random.nextInt(n % 10 == 0 ? 4 : n % 25 == 1 ? 1500 : 60);
            for (int i = 0; i < count; i++) {
                b.append(pieces[random.nextInt(pieces.length)]);
                if (random.nextInt(3) > 0) {
                    b.append(' ');
                }
            }
            final String text = b.toString();
            assertEquals(reference(text), SimHash.ofText(text), () -> "fingerprint differs for \"" + text + "\"");
        }
        // Long words outgrow the scratch buffers; a later short text must not see their leftovers.
        final String longWords = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz".repeat(3)
                + " zyxwvutsrqponmlkjihgfedcbazyxwvutsrqponmlkjihgfedcba".repeat(3) + " word";
        assertEquals(reference(longWords), SimHash.ofText(longWords));
        assertEquals(reference("one two two"), SimHash.ofText("one two two"));
        assertEquals(SimHash.NONE, SimHash.ofText("love it love it"));
        assertEquals(reference("love it very much"), SimHash.ofText("love it very much"));
    }

    /** The implementation before it was made allocation-free, verbatim in behaviour. */
    static long reference(final String text) {
        final String folded = java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKD);
        final List<String> out = new ArrayList<>();
        final StringBuilder word = new StringBuilder();
        boolean digit = false;
        for (int i = 0; i < folded.length(); i++) {
            final char c = folded.charAt(i);
            if (Character.getType(c) == Character.NON_SPACING_MARK) {
                continue;
            }
            if (Character.isLetterOrDigit(c)) {
                final char lower = Character.toLowerCase(c);
                final int n = word.length();
                if (n >= 1 && word.charAt(n - 1) == lower) {
                    continue;
                }
                word.append(lower);
                digit |= Character.isDigit(c);
            } else if (word.length() > 0) {
                out.add(digit ? "0" : word.toString());
                word.setLength(0);
                digit = false;
            }
        }
        if (word.length() > 0) {
            out.add(digit ? "0" : word.toString());
        }
        final String[] tokens = out.toArray(new String[0]);
        if (new java.util.HashSet<>(java.util.Arrays.asList(tokens)).size() < 3) {
            return 0L;
        }
        if (tokens.length == 0) {
            return 0L;
        }
        final int[] weights = new int[64];
        for (int i = 0; i < tokens.length; i++) {
            final long w = fnv(tokens[i], 0xcbf29ce484222325L);
            add(weights, w);
            if (i + 1 < tokens.length) {
                add(weights, fnv(tokens[i + 1], w * 31));
            }
        }
        long hash = 0L;
        for (int bit = 0; bit < 64; bit++) {
            if (weights[bit] > 0) {
                hash |= 1L << bit;
            }
        }
        return hash;
    }

    private static void add(final int[] weights, final long feature) {
        long z = feature;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        final long h = z ^ (z >>> 31);
        for (int bit = 0; bit < 64; bit++) {
            weights[bit] += ((h >>> bit) & 1L) == 1L ? 1 : -1;
        }
    }

    private static long fnv(final String s, final long seed) {
        long h = seed;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
