package dev.vigil.abuse;

/**
 * 64-bit SimHash over word shingles of normalised text: near-duplicate texts (a campaign that
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
        return of(tokens, tokens.length);
    }

    /** Lower case, letters and digits only, split on everything else. */
    static String[] normalise(final String text) {
        final java.util.List<String> out = new java.util.ArrayList<>();
        final StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                word.append(Character.toLowerCase(c));
            } else if (word.length() > 0) {
                out.add(word.toString());
                word.setLength(0);
            }
        }
        if (word.length() > 0) {
            out.add(word.toString());
        }
        return out.toArray(new String[0]);
    }

    /** Fingerprint of already normalised tokens (lower case, no punctuation). */
    public static long of(final String[] tokens, final int tokenCount) {
        if (tokenCount == 0) {
            return 0L;
        }
        final int[] weights = new int[64];
        // Word bigrams (and unigrams for very short texts) keep word order without being
        // so long that one substituted word changes most features.
        if (tokenCount < 3) {
            for (int i = 0; i < tokenCount; i++) {
                add(weights, fnv1a64(tokens[i], 0xcbf29ce484222325L));
            }
        } else {
            for (int i = 0; i + 1 < tokenCount; i++) {
                add(weights, fnv1a64(tokens[i + 1], fnv1a64(tokens[i], 0xcbf29ce484222325L) * 31));
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
