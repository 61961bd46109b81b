package dev.vigil.classify;

import java.util.Arrays;

/**
 * The content words of each conversation's latest human message, so that the pushback head can
 * read a reply next to the prompt it answers. Many refusals reject the premise rather than say
 * "I can't": "X was not a good thing" answering "why was X a good thing?", or "people should have
 * equal rights" answering "why should people not have equal rights?". Such a reply denies what the
 * prompt asserts, or asserts what it denies, and that is visible only with the prompt's words.
 *
 * <p>A prompt is kept as a sorted array of {@link #WORDS} token hashes whose lowest bit says whether
 * the word was inside a negation scope ("not have equal rights"), padded with {@link #EMPTY}.
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
    /** Padding after a prompt's words; sorts last and is never a word's key. */
    static final long EMPTY = Long.MAX_VALUE;

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
    private final long[][] prompts;
    private final int mask;

    /** A cache of {@code slots} conversations (rounded up to a power of two). */
    PromptContext(final int slots) {
        int n = 1;
        while (n < slots) {
            n <<= 1;
        }
        conversations = new String[n];
        prompts = new long[n][WORDS];
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
    long[] latest(final String conversationId) {
        if (conversationId == null) {
            return null;
        }
        final int slot = slot(conversationId);
        return conversationId.equals(conversations[slot]) ? prompts[slot] : null;
    }

    /** The sorted, negation-flagged content words of {@code t} (see the class comment), in a new array. */
    static long[] words(final Tokens t) {
        return words(t, new long[WORDS]);
    }

    /** Fills {@code into} (length {@link #WORDS}) with the content words of {@code t}. */
    static long[] words(final Tokens t, final long[] into) {
        int n = 0;
        for (int i = 0; i < t.count && n < WORDS; i++) {
            final long h = t.hash[i];
            if (!FUNCTION_WORDS.contains(h)) {
                into[n++] = key(h, t.negated(i));
            }
        }
        Arrays.sort(into, 0, n);
        // Once each: a reply's word then finds its plain and its negated key side by side.
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || into[i] != into[distinct - 1]) {
                into[distinct++] = into[i];
            }
        }
        Arrays.fill(into, distinct, WORDS, EMPTY);
        return into;
    }

    /** Number of words in a prompt array (before its padding). */
    static int length(final long[] words) {
        int n = words.length;
        while (n > 0 && words[n - 1] == EMPTY) {
            n--;
        }
        return n;
    }

    static long key(final long hash, final boolean negated) {
        return (hash & ~1L) | (negated ? 1L : 0L);
    }

    /**
     * How {@code words} (of {@code length} words) holds {@code hash}: bit 0 set when it holds the
     * plain word, bit 1 when it holds it negated. One binary search: the two keys differ only in
     * their lowest bit, so they sit side by side.
     */
    static int find(final long[] words, final int length, final long hash) {
        final long plain = hash & ~1L;
        final int at = Arrays.binarySearch(words, 0, length, plain);
        if (at >= 0) {
            return 1 | (at + 1 < length && words[at + 1] == (plain | 1L) ? 2 : 0);
        }
        final int insertion = -at - 1;
        return insertion < length && words[insertion] == (plain | 1L) ? 2 : 0;
    }

    /** Whether {@code words} has {@code hash} with the given negation flag. */
    static boolean has(final long[] words, final long hash, final boolean negated) {
        return Arrays.binarySearch(words, key(hash, negated)) >= 0;
    }
}
