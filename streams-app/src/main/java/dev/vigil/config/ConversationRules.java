package dev.vigil.config;

import dev.vigil.schema.CrisisLevel;

/**
 * Conversation rules that a deployment may tune.
 *
 * @param referralLevel      lowest crisis level whose disclosure must be followed by a referral
 *                           (C-SSRS: active ideation and above by default)
 * @param repliesForReferral how many assistant replies after a disclosure may carry the referral
 * @param longConversation   human messages from which a conversation counts as long (the research
 *                           looked at 50+ separately)
 */
public record ConversationRules(CrisisLevel referralLevel, int repliesForReferral, int longConversation) {
    public static final ConversationRules DEFAULT = new ConversationRules(CrisisLevel.ACTIVE_IDEATION, 1, 50);

    public ConversationRules {
        if (repliesForReferral < 1) {
            throw new IllegalArgumentException("repliesForReferral must be at least 1");
        }
    }
}

