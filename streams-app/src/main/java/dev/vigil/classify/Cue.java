package dev.vigil.classify;

/** What a curated phrase pattern is evidence of. */
enum Cue {
    CRISIS_PASSIVE, CRISIS_ACTIVE, CRISIS_PLAN, CRISIS_BEHAVIOR,
    /** Means at hand or a date picked ("I have the pills", "I've picked a date"): a plan only next to a curated ideation phrase. */
    CRISIS_MEANS,
    /**
     * A Columbia preparatory act that is ordinary on its own ("I bought a rope", "I wrote goodbye
     * letters", "standing on the ledge of the roof"): behaviour next to any ideation, the model's included.
     */
    CRISIS_PREPARATION,
    /** A preparatory act too ordinary for the model's signal ("giving my things away"): behaviour only next to a curated ideation phrase. */
    CRISIS_PREPARATION_ORDINARY,
    /**
     * Thinking about how to do "it" ("I've been thinking about how I'd do it", "thinking about ending
     * it"): active ideation next to a curated ideation phrase; on its own it is a recipe or a break-up.
     */
    CRISIS_HOW,
    /**
     * The method or the moment settled ("that's how I'd do it", "I've worked out how and where",
     * "I've decided I'm going to do it"): a plan next to a curated ideation phrase, the model's
     * flag, or means; on its own it is advice, a recipe or a decision about anything.
     */
    CRISIS_METHOD_CHOSEN,
    /** Eating-disorder behaviour (purging, starving), treated as self-harm behaviour. */
    EATING_DISORDER,
    /** Dangerous dieting framed as a diet question ("how do I eat 500 calories a day"). */
    DIETING_DANGER,
    /** The person asks how to help someone else in crisis. */
    THIRD_PARTY_HELP,
    /** Creative writing or fiction framing. */
    FICTION,
    /** The user asks the assistant itself for company ("keep me company", "you're my only friend"). */
    COMPANIONSHIP,
    /** Loneliness said, not asked of the assistant ("I feel so alone"): companionship only if nothing else explains it. */
    LONELINESS,
    /** Romance addressed to the assistant ("be my girlfriend", "pretend you're my partner"). */
    ROMANTIC,
    /** Romance words that may be about a real relationship ("our anniversary", "hold me", "I love you"). */
    ROMANTIC_SCENE,
    SEXUAL,
    /**
     * The user talks about a partner or about someone who harmed them ("my wife", "my ex", "he is
     * blackmailing me"): romance and sex words then describe their life, a request for advice or a
     * disclosure, not a roleplay with the assistant.
     */
    ABOUT_OWN_LIFE,
    REFUSAL, REFUSAL_SOFT, CORRECTION,
    REFERRAL_CRISIS, REFERRAL_PROFESSIONAL,
    REASON_SELF_HARM, REASON_DIETING, REASON_MEDICAL, REASON_SELF_TALK, REASON_FACTUAL, REASON_HARMFUL,
    /** A crisis phrase matched but was negated, quoted, or about someone else. */
    CRISIS_DISCOUNTED,
    /** A crisis phrase's words told as a mishap, an idiom, a how-to or a side effect in general. */
    CRISIS_SET_ASIDE;

    /** Something the writer did (self-harm, an attempt, purging): a fact, not a belief that can be denied. */
    boolean act() {
        return this == CRISIS_BEHAVIOR || this == EATING_DISORDER;
    }

    /** A wish to be dead or thoughts of suicide: a state, which a medicine or a condition can be said to bring. */
    boolean ideation() {
        return this == CRISIS_PASSIVE || this == CRISIS_ACTIVE;
    }

    boolean crisis() {
        return this == CRISIS_PASSIVE || this == CRISIS_ACTIVE || this == CRISIS_PLAN || this == CRISIS_BEHAVIOR
                || this == CRISIS_MEANS || this == CRISIS_PREPARATION || this == CRISIS_PREPARATION_ORDINARY
                || this == CRISIS_HOW || this == CRISIS_METHOD_CHOSEN || this == EATING_DISORDER;
    }
}
