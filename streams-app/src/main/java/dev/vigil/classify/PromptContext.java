package dev.vigil.classify;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The content words of each conversation's latest human message, so that the pushback head can
 * read a reply next to the prompt it answers. Many refusals reject the premise rather than say
 * "I can't": "X was not a good thing" answering "why was X a good thing?", or "people should have
 * equal rights" answering "why should people not have equal rights?". Such a reply denies what the
 * prompt asserts, or asserts what it denies, and that is visible only with the prompt's words.
 *
 * <p>A prompt is kept as a sorted array of at most {@link #WORDS} token hashes whose lowest bit says
 * whether the word was inside a negation scope ("not have equal rights"). Bounded LRU keyed by
 * conversation id: a reply follows its prompt within moments, so a small cache is enough, and a
 * conversation whose prompt is gone (restart, eviction) is read as a reply alone.
 */
final class PromptContext {
    /** Content words kept per prompt: premises sit in a question's first clauses. */
    static final int WORDS = 32;

    /** Function words carry no premise; "not" is the negation flag itself. */
    private static final LongSet FUNCTION_WORDS = LongSet.of("a", "an", "the", "to", "of", "in", "on", "for",
            "and", "or", "is", "are", "was", "were", "be", "been", "being", "am", "i", "you", "my", "your", "me",
            "it", "its", "this", "that", "these", "those", "what", "why", "how", "when", "where", "who", "which",
            "do", "does", "did", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "not",
            "no", "never", "with", "at", "by", "from", "as", "about", "some", "any", "there", "their", "they",
            "them", "we", "our", "us", "he", "she", "his", "her", "him", "so", "if", "then", "than", "have", "has",
            "had", "get", "just", "all", "also", "very", "too", "into", "out", "up", "down", "over", "s",
            "<num>", "<url>");

    private final Map<String, long[]> prompts;

    PromptContext(final int capacity) {
        prompts = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, long[]> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Remembers {@code prompt} as the latest human message of {@code conversationId}. */
    void remember(final String conversationId, final Tokens prompt) {
        if (conversationId == null) {
            return;
        }
        final long[] words = words(prompt);
        synchronized (prompts) {
            prompts.put(conversationId, words);
        }
    }

    /** The latest prompt's words of {@code conversationId}, or null when none is known. */
    long[] latest(final String conversationId) {
        if (conversationId == null) {
            return null;
        }
        synchronized (prompts) {
            return prompts.get(conversationId);
        }
    }

    /** The sorted, negation-flagged content words of {@code t} (see the class comment). */
    static long[] words(final Tokens t) {
        final long[] out = new long[WORDS];
        int n = 0;
        for (int i = 0; i < t.count && n < WORDS; i++) {
            final long h = t.hash[i];
            if (!FUNCTION_WORDS.contains(h)) {
                out[n++] = key(h, t.negated(i));
            }
        }
        final long[] words = Arrays.copyOf(out, n);
        Arrays.sort(words);
        return words;
    }

    static boolean content(final long hash) {
        return !FUNCTION_WORDS.contains(hash);
    }

    static long key(final long hash, final boolean negated) {
        return (hash & ~1L) | (negated ? 1L : 0L);
    }

    /** Whether {@code words} has {@code hash} with the given negation flag. */
    static boolean has(final long[] words, final long hash, final boolean negated) {
        return Arrays.binarySearch(words, key(hash, negated)) >= 0;
    }
}
