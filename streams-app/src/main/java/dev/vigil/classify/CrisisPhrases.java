package dev.vigil.classify;

import dev.vigil.schema.CrisisLevel;

/**
 * The curated crisis phrases on their own, as the classifier reads them: for training and
 * measuring the semantic tier beside them, off the hot path.
 */
public final class CrisisPhrases {
    private static final Phrases PHRASES = Cues.standard();
    private static final ThreadLocal<Tokens> TOKENS = ThreadLocal.withInitial(Tokens::new);
    private static final ThreadLocal<CueHits> CUES = ThreadLocal.withInitial(CueHits::new);

    private CrisisPhrases() {
    }

    /**
     * The rung the phrases support for {@code text}, or none when the message is reported speech,
     * fiction or someone else's situation (where the classifier lets the encoder decide alone).
     */
    public static CrisisLevel level(final String text) {
        final Tokens tokens = TOKENS.get();
        final CueHits cues = CUES.get();
        tokens.read(text);
        cues.clear();
        PHRASES.match(tokens, cues);
        if (cues.has(Cue.FICTION) || cues.has(Cue.THIRD_PARTY_HELP) || cues.has(Cue.CRISIS_DISCOUNTED)) {
            return CrisisLevel.NONE;
        }
        return StandardClassifier.ruleCrisisLevel(cues);
    }
}
