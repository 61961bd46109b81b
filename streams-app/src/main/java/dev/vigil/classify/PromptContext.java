package dev.vigil.classify;

import java.util.Arrays;

/**
 * The content words of each conversation's latest human message, so that the pushback head can
 * read a reply next to the prompt it answers. Many refusals reject the premise rather than say
 * "I can't": "X was not a good thing" answering "why was X a good thing?", or "people should have
 * equal rights" answering "why should people not have equal rights?". Such a reply denies what the
 * prompt asserts, or asserts what it denies, and that is visible only with the prompt's words.
 *
 * <p>A prompt is kept in one small int array: a 256-bit filter of its words, their number, and
 * up to {@link #WORDS} keys, the upper half of each word's token hash with its lowest bit saying
 * whether the word was inside a negation scope ("not have equal rights"). Most words of a reply are
 * not in its prompt, and the filter says so with one bit test; only the others are looked up.
 *
 * <p>One instance per classifying thread (in the classifier's per-thread workspace): the stream
 * partitions by conversation, so a conversation's prompt and reply are classified on one thread,
 * and a reply follows its prompt within moments. The cache is direct-mapped by conversation id
 * with preallocated slots, so remembering a prompt allocates nothing and needs no lock (this sits
 * on every message's path). A prompt lost to a colliding conversation, a restart or a rebalance
 * only means that its reply is read alone, as before prompts were read at all.
 */
final class PromptContext {
    /** Content words kept per prompt: premises sit in a question's first clauses. */
    static final int WORDS = 32;
    /** Ints of the filter at the start of a prompt array; then the word count, then the words. */
    private static final int FILTER = 8;
    private static final int COUNT = FILTER;
    private static final int FIRST = FILTER + 1;
    /** Length of a prompt array. */
    static final int SIZE = FIRST + WORDS;

    /** Function words carry no premise; "not" is the negation flag itself. */
    private static final LongSet FUNCTION_WORDS = LongSet.of("a", "an", "the", "to", "of", "in", "on", "for",
            "and", "or", "is", "are", "was", "were", "be", "been", "being", "am", "i", "you", "my", "your", "me",
            "it", "its", "this", "that", "these", "those", "what", "why", "how", "when", "where", "who", "which",
            "do", "does", "did", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "not",
            "no", "never", "with", "at", "by", "from", "as", "about", "some", "any", "there", "their", "they",
            "them", "we", "our", "us", "he", "she", "his", "her", "him", "so", "if", "then", "than", "have", "has",
            "had", "get", "just", "all", "also", "very", "too", "into", "out", "up", "down", "over", "s",
            "<num>", "<url>");

    private final String[] conversations;
    private final int[][] prompts;
    private final int mask;

    /** A cache of {@code slots} conversations (rounded up to a power of two). */
    PromptContext(final int slots) {
        int n = 1;
        while (n < slots) {
            n <<= 1;
        }
        conversations = new String[n];
        prompts = new int[n][SIZE];
        mask = n - 1;
    }

    private int slot(final String conversationId) {
        final int h = conversationId.hashCode() * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    /** Remembers {@code prompt} as the latest human message of {@code conversationId}. */
    void remember(final String conversationId, final Tokens prompt) {
        if (conversationId == null) {
            return;
        }
        final int slot = slot(conversationId);
        words(prompt, prompts[slot]);
        conversations[slot] = conversationId;
    }

    /**
     * The latest prompt's words of {@code conversationId}, or null when none is known. The array is
     * this cache's own and changes with the next prompt remembered in its slot: read it at once.
     */
    int[] latest(final String conversationId) {
        if (conversationId == null) {
            return null;
        }
        final int slot = slot(conversationId);
        return conversationId.equals(conversations[slot]) ? prompts[slot] : null;
    }

    /** The filtered, negation-flagged content words of {@code t} (see the class comment), in a new array. */
    static int[] words(final Tokens t) {
        return words(t, new int[SIZE]);
    }

    /** Fills {@code into} (length {@link #SIZE}) with the content words of {@code t}. */
    static int[] words(final Tokens t, final int[] into) {
        Arrays.fill(into, 0, FILTER, 0);
        int n = 0;
        for (int i = 0; i < t.count && n < WORDS; i++) {
            final long h = t.hash[i];
            if (!FUNCTION_WORDS.contains(h)) {
                final int k = key(h, t.negated(i));
                into[FIRST + n++] = k;
                final int bit = (k >>> 1) & 255;
                into[bit >>> 5] |= 1 << (bit & 31);
            }
        }
        into[COUNT] = n;
        return into;
    }

    /** Number of words in a prompt array. */
    static int length(final int[] words) {
        return words[COUNT];
    }

    static int key(final long hash, final boolean negated) {
        return ((int) (hash >>> 32) & ~1) | (negated ? 1 : 0);
    }

    /**
     * How the prompt array {@code words} holds {@code hash}: bit 0 set when it holds the plain word,
     * bit 1 when it holds it negated. The plain and negated keys share one filter bit.
     */
    static int find(final int[] words, final long hash) {
        final int plain = key(hash, false);
        final int bit = (plain >>> 1) & 255;
        if ((words[bit >>> 5] & 1 << (bit & 31)) == 0) {
            return 0;
        }
        int found = 0;
        final int end = FIRST + words[COUNT];
        for (int i = FIRST; i < end; i++) {
            final int w = words[i];
            if (w == plain) {
                found |= 1;
            } else if (w == (plain | 1)) {
                found |= 2;
            }
        }
        return found;
    }

    /** Whether {@code words} has {@code hash} with the given negation flag. */
    static boolean has(final int[] words, final long hash, final boolean negated) {
        return (find(words, hash) & (negated ? 2 : 1)) != 0;
    }
}
