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
        // Plain text (ASCII, or already in NFKD form) is read as is; only text that NFKD changes
        // pays for a normalised copy. The scan below allocates nothing: it is on the per-message
        // hot path of the classifier.
        final String folded = isAscii(text) || java.text.Normalizer.isNormalized(text, java.text.Normalizer.Form.NFKD)
                ? text
                : java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKD);
        return SCRATCH.get().fingerprint(folded);
    }

    private static boolean isAscii(final String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * One thread's reusable state for {@link #ofText}: the per-bit counts and the first two distinct
     * tokens (enough to tell whether a message has {@link #MIN_DISTINCT_WORDS} distinct words).
     * Tokens are hashed as they are read, with the same tokenisation as {@link #normalise}, and
     * each word and bigram feature is added exactly as {@link #of} adds it, so the fingerprint is
     * the same as {@code of(normalise(text))}.
     */
    private static final class Scratch {
        /** Per bit, how many features had it set; a bit of the fingerprint is set when most did. */
        private final int[] setCounts = new int[64];
        /**
         * Byte-wide counters, eight to a long: lane k counts bits k, k+8, ..., k+56, so a feature
         * costs eight additions instead of sixty-four. Flushed into {@link #setCounts} before a
         * byte can overflow.
         */
        private final long[] lanes = new long[8];
        private int pending;
        private int features;
        private char[] current = new char[32];
        private int currentLength;
        private char[] first = new char[32];
        private int firstLength = -1;
        private char[] second = new char[32];
        private int secondLength = -1;
        private int distinct;
        private long previousWord;
        private int tokens;

        long fingerprint(final String folded) {
            java.util.Arrays.fill(setCounts, 0);
            java.util.Arrays.fill(lanes, 0L);
            pending = 0;
            features = 0;
            firstLength = -1;
            secondLength = -1;
            distinct = 0;
            tokens = 0;
            currentLength = 0;
            boolean digit = false;
            for (int i = 0; i < folded.length(); i++) {
                final char c = folded.charAt(i);
                if (c >= 0x80 && Character.getType(c) == Character.NON_SPACING_MARK) {
                    continue; // accents split off by NFKD
                }
                if (Character.isLetterOrDigit(c)) {
                    final char lower = Character.toLowerCase(c);
                    if (currentLength >= 1 && current[currentLength - 1] == lower) {
                        continue;
                    }
                    if (currentLength == current.length) {
                        current = java.util.Arrays.copyOf(current, currentLength * 2);
                    }
                    current[currentLength++] = lower;
                    digit |= Character.isDigit(c);
                } else if (currentLength > 0) {
                    endToken(digit);
                    digit = false;
                }
            }
            if (currentLength > 0) {
                endToken(digit);
            }
            if (distinct < MIN_DISTINCT_WORDS || tokens == 0) {
                return NONE;
            }
            flush();
            long hash = 0L;
            for (int bit = 0; bit < 64; bit++) {
                // The weight of a bit in of(): set minus unset features, i.e. 2 * set - all.
                if (2 * setCounts[bit] - features > 0) {
                    hash |= 1L << bit;
                }
            }
            return hash;
        }

        private void addFeature(final long featureHash) {
            final long h = mix(featureHash);
            for (int k = 0; k < 8; k++) {
                lanes[k] += (h >>> k) & 0x0101010101010101L;
            }
            features++;
            if (++pending == 255) {
                flush();
            }
        }

        private void flush() {
            for (int k = 0; k < 8; k++) {
                final long lane = lanes[k];
                for (int b = 0; b < 8; b++) {
                    setCounts[8 * b + k] += (int) ((lane >>> (8 * b)) & 0xFFL);
                }
                lanes[k] = 0L;
            }
            pending = 0;
        }

        private void endToken(final boolean digit) {
            if (digit) {
                current[0] = NUMBER.charAt(0);
                currentLength = 1;
            }
            countDistinct();
            final long word = fnv1a64(current, currentLength, 0xcbf29ce484222325L);
            addFeature(word);
            if (tokens > 0) {
                addFeature(fnv1a64(current, currentLength, previousWord * 31));
            }
            previousWord = word;
            tokens++;
            currentLength = 0;
        }

        private void countDistinct() {
            if (distinct >= MIN_DISTINCT_WORDS) {
                return;
            }
            if (firstLength < 0) {
                first = copyInto(first);
                firstLength = currentLength;
                distinct = 1;
            } else if (!same(first, firstLength)) {
                if (secondLength < 0) {
                    second = copyInto(second);
                    secondLength = currentLength;
                    distinct = 2;
                } else if (!same(second, secondLength)) {
                    distinct = 3;
                }
            }
        }

        private char[] copyInto(final char[] target) {
            final char[] into = target.length >= currentLength ? target : new char[currentLength];
            System.arraycopy(current, 0, into, 0, currentLength);
            return into;
        }

        private boolean same(final char[] other, final int otherLength) {
            return otherLength == currentLength && java.util.Arrays.equals(other, 0, otherLength, current, 0, currentLength);
        }
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
    private static long fnv1a64(final char[] s, final int length, final long seed) {
        long h = seed;
        for (int i = 0; i < length; i++) {
            h ^= s[i];
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static long mix(final long z0) {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
