package dev.vigil.classify;

/**
 * The sparse feature vector every linear head reads: hashed word unigrams (negation-marked),
 * bigrams, and the same at the start of the message (where refusals and greetings sit), plus a
 * few dense features from the lexicon and the phrase cues. Built once per message for all heads.
 */
final class Features {
    /** Hashed feature space; collisions at this size cost little for these vocabularies. */
    static final int BUCKETS = 1 << 17;
    /** Messages are featurised up to this many tokens; cues still see the whole message. */
    static final int MAX_FEATURE_TOKENS = 256;
    static final int START_TOKENS = 40;
    /**
     * The opening of an assistant reply is read further: partial refusals often open with a
     * friendly sentence ("I'm happy to help! However, I must point out ..."). Only the pushback
     * head reads replies, so the human heads keep {@link #START_TOKENS}.
     */
    static final int REPLY_START_TOKENS = Integer.getInteger("vigil.features.replyStart", 60);
    /** Features of the message's opening hash into the upper half of the space, the rest into the lower. */
    static final int START_BASE = BUCKETS / 2;

    enum Dense {
        BIAS, LEX_COMPOUND, LEX_POSITIVE, LEX_NEGATIVE, LEX_HITS, QUESTION, EXCLAIM, LENGTH,
        CRISIS_LEVEL, CRISIS_CUES, THIRD_PARTY, FICTION, EATING, REFUSAL, REFUSAL_START, REFUSAL_SOFT,
        SOFT_START, CORRECTION, REFERRAL, COMPANION, FIRST_PERSON, SECOND_PERSON, NEGATIONS
    }

    static final int DENSE = Dense.values().length;
    static final int DIMENSION = BUCKETS + DENSE;

    final int[] index = new int[MAX_FEATURE_TOKENS * 4 + DENSE];
    final float[] value = new float[index.length];
    int count;

    private static final long BIGRAM = 0x9e3779b97f4a7c15L;
    private static final long START = 0xc2b2ae3d27d4eb4fL;
    private static final long NEGATED = 0x165667b19e3779f9L;
    /** The writer's own words for themselves (also read by {@link Phrases} to find whose a phrase is). */
    static final LongSet FIRST_PERSON = LongSet.of("i", "me", "my", "myself", "mine");
    private static final LongSet SECOND_PERSON = LongSet.of("you", "your", "yourself", "yours");

    /** Fills this vector from one message's tokens, lexicon score and cues. */
    Features build(final Tokens t, final CueHits cues, final SentimentLexicon.Score lex, final int crisisLevel) {
        return build(t, cues, lex, crisisLevel, START_TOKENS, false);
    }

    /** The vector of an assistant reply: its first {@link #REPLY_START_TOKENS} tokens and the dense features. */
    Features buildReply(final Tokens t, final CueHits cues, final SentimentLexicon.Score lex, final int crisisLevel) {
        return build(t, cues, lex, crisisLevel, REPLY_START_TOKENS, true);
    }

    /**
     * Fills this vector with an opening of {@code startTokens} tokens. With {@code openingOnly} the
     * whole-message n-grams (below {@link #START_BASE}) are left out but still counted in the
     * length normalisation, so the opening and dense features keep exactly their values. For the
     * head that reads only the opening (pushback): hashing the body would be wasted work.
     */
    Features build(final Tokens t, final CueHits cues, final SentimentLexicon.Score lex, final int crisisLevel,
                   final int startTokens, final boolean openingOnly) {
        count = 0;
        final int n = Math.min(t.count, MAX_FEATURE_TOKENS);
        int first = 0;
        int second = 0;
        int negations = 0;
        for (int i = 0; i < n; i++) {
            final long h = t.negated(i) ? t.hash[i] ^ NEGATED : t.hash[i];
            if (!openingOnly) {
                hashed(h, 0);
                if (i + 1 < n) {
                    hashed(Tokens.mix(h * 31 + t.hash[i + 1]) ^ BIGRAM, 0);
                }
            }
            if (i < startTokens) {
                hashed(h ^ START, START_BASE);
                if (i + 1 < n) {
                    hashed(Tokens.mix(h * 31 + t.hash[i + 1]) ^ BIGRAM ^ START, START_BASE);
                }
            }
            if (FIRST_PERSON.contains(t.hash[i])) {
                first++;
            } else if (SECOND_PERSON.contains(t.hash[i])) {
                second++;
            }
            if (t.negated(i)) {
                negations++;
            }
        }
        // Length-normalise the hashed part so long posts and one-liners sit on one scale.
        final int hashedCount = openingOnly ? count + n + Math.max(0, n - 1) : count;
        final float scale = hashedCount == 0 ? 0f : (float) (1.0 / Math.sqrt(hashedCount));
        for (int k = 0; k < count; k++) {
            value[k] = scale;
        }
        final double tokens = Math.max(1, n);
        dense(Dense.BIAS, 1);
        dense(Dense.LEX_COMPOUND, lex.compound());
        dense(Dense.LEX_POSITIVE, lex.positive / Math.sqrt(tokens));
        dense(Dense.LEX_NEGATIVE, lex.negative / Math.sqrt(tokens));
        dense(Dense.LEX_HITS, lex.hits / tokens);
        dense(Dense.QUESTION, t.questionMarks > 0 ? 1 : 0);
        dense(Dense.EXCLAIM, Math.min(3, t.exclamations) / 3.0);
        dense(Dense.LENGTH, Math.log1p(t.totalTokens) / 6.0);
        dense(Dense.CRISIS_LEVEL, crisisLevel / 4.0);
        dense(Dense.CRISIS_CUES, Math.min(3, cues.count(Cue.CRISIS_PASSIVE) + cues.count(Cue.CRISIS_ACTIVE)
                + cues.count(Cue.CRISIS_PLAN) + cues.count(Cue.CRISIS_BEHAVIOR)) / 3.0);
        dense(Dense.THIRD_PARTY, cues.has(Cue.THIRD_PARTY_HELP) ? 1 : 0);
        dense(Dense.FICTION, cues.has(Cue.FICTION) ? 1 : 0);
        dense(Dense.EATING, cues.has(Cue.EATING_DISORDER) || cues.has(Cue.DIETING_DANGER) ? 1 : 0);
        dense(Dense.REFUSAL, Math.min(3, cues.count(Cue.REFUSAL)) / 3.0);
        dense(Dense.REFUSAL_START, cues.first(Cue.REFUSAL) < 30 ? 1 : 0);
        dense(Dense.REFUSAL_SOFT, Math.min(3, cues.count(Cue.REFUSAL_SOFT)) / 3.0);
        dense(Dense.SOFT_START, cues.first(Cue.REFUSAL_SOFT) < 30 ? 1 : 0);
        dense(Dense.CORRECTION, cues.has(Cue.CORRECTION) ? 1 : 0);
        dense(Dense.REFERRAL, cues.has(Cue.REFERRAL_CRISIS) || cues.has(Cue.REFERRAL_PROFESSIONAL) ? 1 : 0);
        // The union the trained weights were fitted on (before loneliness and romance scenes were told apart).
        dense(Dense.COMPANION, cues.has(Cue.COMPANIONSHIP) || cues.has(Cue.LONELINESS) || cues.has(Cue.ROMANTIC)
                || cues.has(Cue.ROMANTIC_SCENE) || cues.has(Cue.SEXUAL) ? 1 : 0);
        dense(Dense.FIRST_PERSON, first / tokens * 5);
        dense(Dense.SECOND_PERSON, second / tokens * 5);
        dense(Dense.NEGATIONS, negations / tokens * 5);
        return this;
    }

    private void hashed(final long h, final int base) {
        index[count++] = base + ((int) (Tokens.mix(h) >>> 47) & (START_BASE - 1));
    }

    private void dense(final Dense d, final double v) {
        index[count] = BUCKETS + d.ordinal();
        value[count] = (float) v;
        count++;
    }

    /** A copy of the current vector, for training sets. */
    int[] indexCopy() {
        return java.util.Arrays.copyOf(index, count);
    }

    float[] valueCopy() {
        return java.util.Arrays.copyOf(value, count);
    }
}
