package dev.vigil.classify;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Crisis evidence carried across a conversation's messages. Risk is often spread thin: a user
 * writes several messages that each sound a little hopeless, none clearly enough to flag on its
 * own. Repeated elevated model scores in one conversation are stronger evidence than any one of
 * them, so once a conversation has {@link #MESSAGES} such messages the latest is raised to the
 * lowest rung of the ladder (the conversation-level figure is the highest level over its messages).
 *
 * <p>Bounded LRU keyed by conversation id, like the language cache; only conversations with an
 * elevated message get an entry, so ordinary traffic allocates nothing here.
 */
final class CrisisContext {
    /** Model probability from which a message counts as elevated (below the single-message threshold). */
    static final double ELEVATED = Double.parseDouble(System.getProperty("vigil.crisis.contextThreshold", "0.45"));
    /** Elevated messages in one conversation that together count as a disclosure. */
    static final int MESSAGES = Integer.getInteger("vigil.crisis.contextMessages", 3);

    private final Map<String, int[]> elevated;

    CrisisContext(final int capacity) {
        elevated = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, int[]> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Records an elevated message of {@code conversationId} and says whether the conversation now
     * has enough of them to count as a disclosure.
     */
    boolean recordElevated(final String conversationId) {
        if (conversationId == null) {
            return false;
        }
        synchronized (elevated) {
            final int[] count = elevated.computeIfAbsent(conversationId, k -> new int[1]);
            count[0]++;
            return count[0] >= MESSAGES;
        }
    }
}
