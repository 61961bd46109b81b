package dev.vigil.abuse;

/**
 * 64-bit SimHash over the words and word bigrams of normalised text: near-duplicate texts (a campaign that
 * varies a few words, spacing, case or punctuation) land within a small Hamming distance,
 * while unrelated texts differ in about half the bits.
 *
 * <p>Computed in the classification step, where the text still exists; downstream stages see
 * only the 64-bit fingerprint.
 */
public final class SimHash {
    private SimHash() {
    }

    /**
     * Fingerprint of a message's text. This is the one normalisation used for near-duplicate
     * detection: the classification step calls it, so the fingerprint in the signals and the
     * abuse measurements agree.
     */
    public static long ofText(final String text) {
        final String[] tokens = normalise(text);
        if (new java.util.HashSet<>(java.util.Arrays.asList(tokens)).size() < MIN_DISTINCT_WORDS) {
            return NONE;
        }
        return of(tokens, tokens.length);
    }

    /**
     * Fingerprint of a message too short to fingerprint. "cool", "love it", ":)" are what many
     * people write independently; as near-duplicates they say nothing about coordination, so
     * they get no usable fingerprint and the abuse stage skips them.
     */
    public static final long NONE = 0L;

    /** Distinct words a message needs before its fingerprint can tell a campaign from chatter. */
    static final int MIN_DISTINCT_WORDS = 3;

    /**
     * The tokens a fingerprint is made of. Campaigns vary their text cosmetically to dodge exact
     * matching, so everything cosmetic is folded away: Unicode compatibility forms (full-width
     * letters, ligatures) and accents, case, punctuation, emoji and spacing; a letter repeated
     * ("sooooo", "todaaay") counts once, in every word alike; any token with a digit (a price, a promo
     * code, a link id) becomes one placeholder, so "earn 500" and "earn 700" agree.
     */
    static String[] normalise(final String text) {
        final String folded = java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKD);
        final java.util.List<String> out = new java.util.ArrayList<>();
        final StringBuilder word = new StringBuilder();
        boolean digit = false;
        for (int i = 0; i < folded.length(); i++) {
            final char c = folded.charAt(i);
            if (Character.getType(c) == Character.NON_SPACING_MARK) {
                continue; // accents split off by NFKD
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
                out.add(digit ? NUMBER : word.toString());
                word.setLength(0);
                digit = false;
            }
        }
        if (word.length() > 0) {
            out.add(digit ? NUMBER : word.toString());
        }
        return out.toArray(new String[0]);
    }

    /** Placeholder of every token that contains a digit. */
    static final String NUMBER = "0";

    /** Fingerprint of already normalised tokens (lower case, no punctuation). */
    public static long of(final String[] tokens, final int tokenCount) {
        if (tokenCount == 0) {
            return 0L;
        }
        final int[] weights = new int[64];
        // Words and word bigrams: bigrams keep word order, words make one changed word a smaller
        // share of the features, so cosmetic and one-word variants stay a few bits apart.
        for (int i = 0; i < tokenCount; i++) {
            final long word = fnv1a64(tokens[i], 0xcbf29ce484222325L);
            add(weights, word);
            if (i + 1 < tokenCount) {
                add(weights, fnv1a64(tokens[i + 1], word * 31));
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

    public static int hammingDistance(final long a, final long b) {
        return Long.bitCount(a ^ b);
    }

    private static void add(final int[] weights, final long featureHash) {
        final long h = mix(featureHash);
        for (int bit = 0; bit < 64; bit++) {
            weights[bit] += ((h >>> bit) & 1L) == 1L ? 1 : -1;
        }
    }

    private static long fnv1a64(final String s, final long seed) {
        long h = seed;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64 finaliser: spreads FNV's weak low bits over all 64. */
    private static long mix(final long z0) {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
