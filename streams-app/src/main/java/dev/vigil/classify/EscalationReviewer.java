package dev.vigil.classify;

import dev.vigil.schema.MessageSignals;

/**
 * Second opinion on escalated messages, off the hot path: a heavier model or an LLM judge can
 * review what the fast heads flagged (crisis disclosures, missed referrals) and confirm or
 * correct it. The stream never waits for a reviewer; reviews arrive as corrected signals.
 *
 * <p>The text is handed over only inside the classification boundary; a reviewer must not log
 * or forward it.
 */
public interface EscalationReviewer {

    /** Whether the fast signals are worth a review (e.g. any crisis level, or low confidence). */
    default boolean shouldReview(final MessageSignals fast) {
        return fast.getCrisisLevel() != null && fast.getCrisisLevel() != dev.vigil.schema.CrisisLevel.NONE;
    }

    /** The reviewed signals; return {@code fast} unchanged to confirm. */
    MessageSignals review(String text, MessageSignals fast);

    /** Confirms everything: the default until a heavier reviewer is configured. */
    EscalationReviewer NONE = (text, fast) -> fast;
}
