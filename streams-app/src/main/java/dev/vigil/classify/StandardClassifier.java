package dev.vigil.classify;

import dev.vigil.abuse.SimHash;
import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.CrisisEvidence;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.CrisisTier;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.PushbackReason;
import dev.vigil.schema.Referral;
import dev.vigil.schema.Role;
import dev.vigil.schema.Sentiment;

/**
 * Vigil's classifier: one tokenisation pass, curated phrase cues and the VADER lexicon, then the
 * linear heads over one shared feature vector, and the semantic crisis tier ({@link SemanticCrisis})
 * for the crisis grade. Rules decide where they are reliable (crisis phrases on the Columbia
 * ladder, referrals, roleplay); the models decide where rules cannot reach (sentiment, affective
 * use, the many ways to refuse, risk said without the usual words).
 *
 * <p>Thread-safe: all per-message buffers live in a per-thread workspace.
 */
public final class StandardClassifier implements MessageClassifier {
    /** Bump on any change to rules, features or thresholds. */
    static final String SEMVER = "2.5.0";

    /** Pushback model probability from which an assistant message counts as pushback. */
    static final double PUSHBACK_THRESHOLD = Double.parseDouble(System.getProperty("vigil.pushback.threshold", "0.7"));
    /** Tokens from the start of a reply within which a refusal phrase counts as the reply's stance. */
    static final int REFUSAL_OPENING = 30;
    /** Model probability below which even an opening refusal phrase is not taken as pushback. */
    static final double REFUSAL_RULE_FLOOR = Double.parseDouble(System.getProperty("vigil.pushback.floor", "0.2"));
    /**
     * Affective probability from which a human message carries an affective category. The model
     * is trained on balanced classes, but most real conversations are tasks, so a task
     * conversation called affective costs more than the share suggests. Chosen on the affective
     * set's cross-validation (with the conversation's informative-message rule,
     * {@code ConversationAccumulator}). With 1.8.0's licence-clean weights, task conversations
     * called affective of 190 / recall / F1: 0.5 6 / 0.985 / 0.991, 0.7 2 / 0.957 / 0.978,
     * 0.8 1 / 0.919 / 0.958, 0.9 1 / 0.815 / 0.898; none of the 6,837 simulated task
     * conversations at any of them. 1.7.0's weights, trained on ESConv's chats too, needed 0.9
     * (at 0.5, 68 of the 190).
     */
    static final double AFFECTIVE_THRESHOLD = Double.parseDouble(System.getProperty("vigil.affective.threshold", "0.7"));

    private static final Sentiment[] SENTIMENTS = Sentiment.values();
    private static final double[] SENTIMENT_VALUES = {-1.0, -0.5, 0.0, 0.5, 1.0};
    /** The affective head's classes in order (the trainer's and the evaluation's order too). */
    static final AffectiveCategory[] AFFECTIVE_HEAD = {AffectiveCategory.NONE,
        AffectiveCategory.INTERPERSONAL_ADVICE, AffectiveCategory.COACHING, AffectiveCategory.COUNSELING};

    private final Phrases phrases;
    private final SentimentLexicon lexicon;
    private final LinearModels models;
    private final ConversationLanguage language;
    private final SemanticCrisis semantic;
    private final EncoderBudget budget;
    private final String version;
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);

    /** Per-thread buffers: a message is classified without allocating beyond its output record. */
    static final class Workspace {
        final Tokens tokens = new Tokens();
        final CueHits cues = new CueHits();
        final SentimentLexicon.Score lex = new SentimentLexicon.Score();
        final Features features = new Features();
        final float[] logits = new float[Head.width()];
        final double[] probabilities = new double[8];
        SemanticCrisis.Workspace semantic;
    }

    StandardClassifier(final Phrases phrases, final SentimentLexicon lexicon, final LinearModels models,
                       final ConversationLanguage language, final SemanticCrisis semantic, final EncoderBudget budget) {
        this.phrases = phrases;
        this.lexicon = lexicon;
        this.models = models;
        this.language = language;
        this.semantic = semantic;
        this.budget = budget;
        this.version = "vigil-clf-" + SEMVER + "+" + models.contentHash().substring(0, Math.min(8,
                models.contentHash().length())) + Long.toHexString(lexicon.contentHash()).substring(0, 4)
                + (semantic == null ? "" : semantic.contentHash().substring(0, 4));
    }

    /** The same models with another encoder budget (the stream's cap). */
    StandardClassifier withBudget(final EncoderBudget other) {
        return new StandardClassifier(phrases, lexicon, models, language, semantic, other);
    }

    SemanticCrisis semantic() {
        return semantic;
    }

    EncoderBudget budget() {
        return budget;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public MessageSignals classify(final ConversationEvent event) {
        return classify(event, 0);
    }

    @Override
    public MessageSignals classify(final ConversationEvent event, final int partition) {
        final Workspace ws = workspaces.get();
        final String text = event.getText();
        if (event.getRole() == Role.ASSISTANT) {
            analyseAssistant(text, ws);
        } else {
            analyse(text, ws);
        }
        // Plain setters on a fresh record: Avro's builder deep-copies a default for every unset
        // field on build(), which costs more than some heads. Every field is set here.
        final MessageSignals out = new MessageSignals();
        out.setEventId(event.getEventId());
        out.setConversationId(event.getConversationId());
        out.setAccountId(event.getAccountId());
        out.setTurn(event.getTurn());
        out.setRole(event.getRole());
        out.setEventTime(event.getTimestamp());
        out.setCountry(event.getCountry());
        out.setModel(event.getModel());
        out.setSurface(event.getSurface());
        out.setTokenCount(ws.tokens.totalTokens);
        out.setClassifierVersion(version);
        out.setLanguage(event.getLanguage() != null ? event.getLanguage()
                : language == null ? null : language.languageOf(event.getConversationId(), text, ws.tokens));
        if (event.getRole() == Role.HUMAN) {
            human(ws, out);
            crisis(text, partition, event.getTimestamp().toEpochMilli(), ws, out);
            out.setSimhash(SimHash.ofText(text));
        } else if (event.getRole() == Role.ASSISTANT) {
            assistant(ws, out);
        }
        return out;
    }

    /** Tokens, cues, lexicon, features and all head logits of {@code text} into {@code ws}. */
    void analyse(final String text, final Workspace ws) {
        ws.tokens.read(text);
        ws.cues.clear();
        phrases.match(ws.tokens, ws.cues);
        lexicon.score(ws.tokens, ws.lex);
        ws.features.build(ws.tokens, ws.cues, ws.lex, ruleCrisisLevel(ws.cues).ordinal());
        models.score(ws.features, ws.logits);
    }

    /** Like {@link #analyse(String, Workspace)} for an assistant reply: only the pushback head is read. */
    void analyseAssistant(final String text, final Workspace ws) {
        ws.tokens.read(text);
        ws.cues.clear();
        phrases.match(ws.tokens, ws.cues);
        lexicon.score(ws.tokens, ws.lex);
        ws.features.buildReply(ws.tokens, ws.cues, ws.lex, ruleCrisisLevel(ws.cues).ordinal());
        models.score(ws.features, ws.logits, Features.START_BASE);
    }

    private void human(final Workspace ws, final MessageSignals out) {
        final float[] z = ws.logits;
        final double[] p = ws.probabilities;
        softmax(z, Head.SENTIMENT.offset(), Head.SENTIMENT.classes, p);
        int best = 0;
        double expected = 0;
        for (int c = 0; c < Head.SENTIMENT.classes; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
            expected += p[c] * SENTIMENT_VALUES[c];
        }
        out.setSentiment(SENTIMENTS[best]);
        // The expected value is a calibrated continuous score; the class is its most likely bin.
        out.setSentimentScore(Math.round(expected * 1000) / 1000.0);

        final CueHits cues = ws.cues;
        softmax(z, Head.AFFECTIVE.offset(), Head.AFFECTIVE.classes, p);
        double affective = 1.0 - p[0];
        AffectiveCategory category = AffectiveCategory.NONE;
        // Roleplay and companionship are uses of the assistant itself. Romance, sex and loneliness
        // words in a message about the user's own partner or about harm done to them ("my wife ...",
        // "he is blackmailing me") are a request for advice or a disclosure: the model's category
        // (or the crisis ladder) decides those.
        if (cues.has(Cue.SEXUAL) || cues.has(Cue.ROMANTIC_SCENE)) {
            OWN_LIFE.match(ws.tokens, cues);
        }
        final boolean ownLife = cues.has(Cue.ABOUT_OWN_LIFE);
        final boolean romance = cues.has(Cue.ROMANTIC) || cues.has(Cue.ROMANTIC_SCENE) && !ownLife;
        if (cues.has(Cue.SEXUAL) && (cues.has(Cue.ROMANTIC) || cues.has(Cue.COMPANIONSHIP)
                || !cues.has(Cue.FICTION) && !ownLife)) {
            category = AffectiveCategory.SEXUAL_ROLEPLAY;
            affective = Math.max(affective, 0.9);
        } else if (romance) {
            category = AffectiveCategory.ROMANTIC_ROLEPLAY;
            affective = Math.max(affective, 0.9);
        } else if (cues.has(Cue.COMPANIONSHIP)) {
            category = AffectiveCategory.COMPANIONSHIP;
            affective = Math.max(affective, 0.8);
        } else if (affective >= AFFECTIVE_THRESHOLD) {
            int bestCategory = 1;
            for (int c = 2; c < Head.AFFECTIVE.classes; c++) {
                if (p[c] > p[bestCategory]) {
                    bestCategory = c;
                }
            }
            category = AFFECTIVE_HEAD[bestCategory];
        } else if (cues.has(Cue.LONELINESS)) {
            // Loneliness said with nothing the model reads as advice or counselling: company.
            category = AffectiveCategory.COMPANIONSHIP;
            affective = Math.max(affective, 0.8);
        }
        out.setAffectiveCategory(category);
        out.setAffectiveScore(round(affective));
    }

    /**
     * The crisis grade: the semantic tier (fast static vectors on every message, the sentence
     * encoder on what they escalate, within the budget) and the curated phrases, which read
     * precise wordings of the Columbia ladder. A phrase escalates the message too, and can raise
     * its grade unless the message is reported speech, fiction or someone else's situation,
     * where only the encoder, which learned those framings, decides.
     */
    private void crisis(final String text, final int partition, final long eventTimeMs, final Workspace ws,
                        final MessageSignals out) {
        final CueHits cues = ws.cues;
        if (semantic == null) {
            // Phrases only: classifier 1.x's per-message work, kept for the benchmark's reference.
            final CrisisLevel phrase = ruleCrisisLevel(cues);
            out.setCrisisLevel(phrase);
            out.setCrisisEvidence(phrase == CrisisLevel.NONE ? CrisisEvidence.NONE : CrisisEvidence.PHRASE);
            out.setCrisisScore(RULE_SCORE[phrase.ordinal()]);
            out.setCrisisElevated(false);
            return;
        }
        if (ws.semantic == null) {
            ws.semantic = semantic.workspace();
        }
        final SemanticCrisis.Workspace sw = ws.semantic;
        semantic.fast(text, sw);
        final CrisisLevel phrase = ruleCrisisLevel(cues);
        final boolean reported = cues.has(Cue.FICTION) || cues.has(Cue.THIRD_PARTY_HELP)
                || cues.has(Cue.CRISIS_DISCOUNTED);
        CrisisTier tier = CrisisTier.FAST;
        if (sw.escalate || phrase != CrisisLevel.NONE) {
            // How urgent the encoder's reading is when escalations exceed the budget: a curated
            // crisis phrase fully, otherwise how far the fast tier's risk is above escalation.
            final double from = semantic.settings().escalateFrom();
            final double urgency = phrase != CrisisLevel.NONE ? 1 : (sw.probability - from) / (1 - from);
            if (budget.tryAcquire(partition, eventTimeMs, urgency)) {
                semantic.encode(sw);
                tier = CrisisTier.ENCODER;
            } else {
                tier = CrisisTier.FAST_OVER_BUDGET;
                if (!sw.escalate) {
                    // Escalated by the phrase alone: the fast grade stands, so read it.
                    semantic.fastGrade(sw);
                }
            }
        }
        CrisisLevel level = sw.level;
        if (level != CrisisLevel.NONE && phrase == CrisisLevel.NONE && ws.tokens.totalTokens < SHORT_MESSAGE_TOKENS
                && (cues.has(Cue.CRISIS_DISCOUNTED) || cues.has(Cue.CRISIS_SET_ASIDE))) {
            // A short message leaves the encoder little to read, and its crisis words dominate its
            // vector ("I haven't cut myself in months", "I burned my arm on the oven door"). Where
            // the curated phrases read those words and set them aside (a denial, a quote, someone
            // else's, a mishap, an idiom, a side effect named in general), they decide. (Setting
            // aside a preparation told alone, "I wrote goodbye letters to my team", as 1.x did,
            // cost 3 of 78 referral-rung disclosures on held_out_5 and no false flags: not kept.)
            level = CrisisLevel.NONE;
        }
        CrisisEvidence evidence = level == CrisisLevel.NONE ? CrisisEvidence.NONE
                : tier == CrisisTier.ENCODER ? CrisisEvidence.ENCODER : CrisisEvidence.SEMANTIC;
        final int referral = CrisisLevel.ACTIVE_IDEATION.ordinal();
        if (!reported && (phrase.ordinal() > level.ordinal()
                || phrase.ordinal() >= referral && level.ordinal() >= referral && phrase != level)) {
            // A curated phrase raises the grade; and where both tiers already ask for a referral,
            // the phrase, which reads the Columbia wording itself, names the rung ("thoughts of
            // suicide" is ideation, not a plan). Taking the phrase's rung below the referral rung
            // as well cost 1 of 78 referral-rung disclosures on held_out_5: not done.
            level = phrase;
            evidence = CrisisEvidence.PHRASE;
        }
        out.setCrisisLevel(level);
        out.setCrisisEvidence(evidence);
        out.setCrisisTier(tier);
        // The tier's expected severity; a phrase that set the rung sets at least its own score.
        out.setCrisisScore(round(evidence == CrisisEvidence.PHRASE ? Math.max(sw.severity, RULE_SCORE[level.ordinal()])
                : level == CrisisLevel.NONE ? Math.min(sw.severity, 0.49) : sw.severity));
        // Not enough on its own, but the conversation may have said something like it before: the
        // conversation stage counts these in its state store (restored after a restart, and keyed
        // by conversation whatever key the producer used) and flags the one that completes the count.
        out.setCrisisElevated(level == CrisisLevel.NONE && tier == CrisisTier.ENCODER
                && sw.probability >= semantic.settings().encoderThreshold() * ELEVATED_SHARE);
        if (level.ordinal() >= CrisisLevel.ACTIVE_IDEATION.ordinal()
                && (out.getAffectiveCategory() == AffectiveCategory.NONE || out.getAffectiveCategory() == null)) {
            // Disclosing suicidal thoughts to an assistant is an emotional need whatever the wording.
            out.setAffectiveCategory(AffectiveCategory.COUNSELING);
            out.setAffectiveScore(Math.max(out.getAffectiveScore(), 0.8));
        }
    }

    /** Below this many tokens a message is short: see {@link #crisis}. */
    static final int SHORT_MESSAGE_TOKENS = Integer.getInteger("vigil.crisis.shortTokens", 20);

    /**
     * Share of the encoder's decision threshold from which a message graded none is elevated
     * (0.2 of 0.5: a probability of 0.1): risk the encoder partly sees, evidence only with others
     * in the same conversation. The encoder's head is sure of most messages either way, so the band
     * is narrow; wider shares found no elevated message among ordinary hopeless ones.
     */
    static final double ELEVATED_SHARE = Double.parseDouble(System.getProperty("vigil.crisis.elevatedShare", "0.2"));

    private static final Phrases OWN_LIFE = Cues.ownLife();

    private static final double[] RULE_SCORE = {0.0, 0.6, 0.75, 0.9, 0.95};

    /** The highest rung of the Columbia ladder the curated phrases support. */
    static CrisisLevel ruleCrisisLevel(final CueHits cues) {
        if (cues.has(Cue.CRISIS_BEHAVIOR) || cues.has(Cue.EATING_DISORDER)) {
            return CrisisLevel.BEHAVIOR;
        }
        final boolean ideation = cues.has(Cue.CRISIS_ACTIVE) || cues.has(Cue.CRISIS_PASSIVE);
        if ((ideation || cues.has(Cue.CRISIS_PLAN))
                && (cues.has(Cue.CRISIS_PREPARATION) || cues.has(Cue.CRISIS_PREPARATION_ORDINARY))) {
            return CrisisLevel.BEHAVIOR;
        }
        if (cues.has(Cue.CRISIS_PLAN) || (cues.has(Cue.CRISIS_MEANS) && ideation)
                || cues.has(Cue.CRISIS_METHOD_CHOSEN) && (ideation || cues.has(Cue.CRISIS_MEANS))) {
            return CrisisLevel.INTENT_OR_PLAN;
        }
        if (cues.has(Cue.CRISIS_ACTIVE) || ideation && cues.has(Cue.CRISIS_HOW)) {
            return CrisisLevel.ACTIVE_IDEATION;
        }
        if (cues.has(Cue.CRISIS_PASSIVE)) {
            return CrisisLevel.PASSIVE_IDEATION;
        }
        return CrisisLevel.NONE;
    }

    private void assistant(final Workspace ws, final MessageSignals out) {
        final CueHits cues = ws.cues;
        final double p = sigmoid(ws.logits[Head.PUSHBACK.offset()]);
        // A refusal phrase in the reply's opening ("I can't give a diagnosis, but ...") is pushback
        // unless the model is confident otherwise: partial refusals go on to help, which dilutes
        // the model's view of the whole reply.
        final boolean pushback = p >= PUSHBACK_THRESHOLD
                || cues.first(Cue.REFUSAL) < REFUSAL_OPENING && p >= REFUSAL_RULE_FLOOR;
        out.setPushback(pushback);
        out.setPushbackReason(pushback ? reason(cues) : null);
        out.setReferral(cues.has(Cue.REFERRAL_CRISIS) ? Referral.CRISIS_LINE
                : cues.has(Cue.REFERRAL_PROFESSIONAL) ? Referral.PROFESSIONAL_HELP : Referral.NONE);
    }

    /** Why the assistant pushed back: the most safety-relevant reason its words support. */
    static PushbackReason reason(final CueHits cues) {
        // Eating-disorder danger is usually framed as dieting: diet words win over generic harm words.
        if (cues.has(Cue.REASON_SELF_HARM) && !cues.has(Cue.REASON_DIETING)) {
            return PushbackReason.SELF_HARM_SAFETY;
        }
        if (cues.has(Cue.REASON_DIETING)) {
            return PushbackReason.DANGEROUS_DIETING;
        }
        if (cues.has(Cue.REFERRAL_CRISIS)) {
            return PushbackReason.SELF_HARM_SAFETY;
        }
        if (cues.has(Cue.REASON_MEDICAL)) {
            return PushbackReason.MEDICAL_OR_THERAPY_LIMIT;
        }
        if (cues.has(Cue.REASON_SELF_TALK)) {
            return PushbackReason.NEGATIVE_SELF_TALK;
        }
        if (cues.has(Cue.REASON_HARMFUL)) {
            return PushbackReason.HARMFUL_REQUEST;
        }
        if (cues.has(Cue.REASON_FACTUAL) || cues.has(Cue.CORRECTION)) {
            return PushbackReason.FACTUAL_CORRECTION;
        }
        return PushbackReason.OTHER;
    }

    static void softmax(final float[] z, final int offset, final int n, final double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) {
            max = Math.max(max, z[offset + c]);
        }
        double sum = 0;
        for (int c = 0; c < n; c++) {
            out[c] = Math.exp(z[offset + c] - max);
            sum += out[c];
        }
        for (int c = 0; c < n; c++) {
            out[c] /= sum;
        }
    }

    static double sigmoid(final double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    private static double round(final double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
