package dev.vigil.conversation;

import dev.vigil.config.ConversationRules;
import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.ConversationState;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.CrisisEvidence;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.ReferralStatus;
import dev.vigil.schema.Referral;
import dev.vigil.schema.Role;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the signals of one conversation, message by message, into its running
 * {@link ConversationState} and derives the {@link ConversationSummary} from it.
 *
 * <p>This is the one place the conversation-level rules live (sentiment shift from the first
 * and last three human messages, referral status, long conversations, drift into
 * companionship), shared by the stream's conversation-state stage and by
 * {@code vigil classify --summaries}, so both always agree.
 */
public final class ConversationAccumulator {

    /** What the message just added did to a pending crisis disclosure. */
    public enum ReferralOutcome {
        /** Nothing was resolved by this message. */
        NONE,
        /** A crisis resource followed the disclosure. */
        REFERRED,
        /** Only generic "seek help" followed the disclosure within the allowed replies. */
        PARTIAL,
        /** No referral at all followed the disclosure within the allowed replies. */
        MISSED
    }

    /** The result of adding one message: the resolved referral, if any, and the level it concerned. */
    public record Step(ReferralOutcome outcome, CrisisLevel level, Integer disclosureTurn) {
        static final Step NOTHING = new Step(ReferralOutcome.NONE, null, null);
    }

    /** Sentiment shift needs three messages at each end that do not overlap. */
    static final int SENTIMENT_EDGE = 3;
    static final int MIN_MESSAGES_FOR_SHIFT = 2 * SENTIMENT_EDGE;

    private final ConversationRules rules;

    public ConversationAccumulator(final ConversationRules rules) {
        this.rules = rules;
    }

    public ConversationAccumulator() {
        this(ConversationRules.DEFAULT);
    }

    public ConversationRules rules() {
        return rules;
    }

    /** A fresh state for the conversation of {@code first}; add {@code first} with {@link #add}. */
    public ConversationState start(final MessageSignals first) {
        return ConversationState.newBuilder()
                .setConversationId(first.getConversationId())
                .setAccountId(first.getAccountId())
                .setModel(first.getModel())
                .setLanguage(first.getLanguage())
                .setFirstEventTime(first.getEventTime())
                .setLastEventTime(first.getEventTime())
                .setFirstSentiments(new ArrayList<>())
                .setLastSentiments(new ArrayList<>())
                .setCategoryCounts(new HashMap<>())
                .setPushbackByReason(new HashMap<>())
                .setClassifierVersion(first.getClassifierVersion())
                .build();
    }

    /**
     * Elevated messages ({@code crisis_elevated}: the model's score is raised but not enough alone)
     * in one conversation that together count as a disclosure. Risk is often spread thin: a user
     * writes several messages that each sound a little hopeless, none clearly enough to flag.
     */
    public static final int CONTEXT_MESSAGES = Integer.getInteger("vigil.crisis.contextMessages", 3);

    /**
     * The message as its conversation reads it: an elevated message is counted in {@code state}
     * (mutated in place), and from the {@link #CONTEXT_MESSAGES}th on it comes back as a copy
     * raised to passive ideation with evidence {@code CONVERSATION}; any other message comes back
     * as it is. Call before {@link #add} with every message, and count (metrics, aggregates) what
     * it returns. The count lives in the conversation's state, so it is in the stream's state store:
     * a restart resumes it, and every message of a conversation reaches it whatever key the
     * producer used.
     */
    public MessageSignals inContext(final ConversationState state, final MessageSignals m) {
        if (m.getRole() != Role.HUMAN || !Boolean.TRUE.equals(m.getCrisisElevated())
                || m.getCrisisLevel() != null && m.getCrisisLevel() != CrisisLevel.NONE) {
            return m;
        }
        state.setElevatedMessages(state.getElevatedMessages() + 1);
        if (state.getElevatedMessages() < CONTEXT_MESSAGES) {
            return m;
        }
        return MessageSignals.newBuilder(m).setCrisisLevel(CrisisLevel.PASSIVE_IDEATION)
                .setCrisisEvidence(CrisisEvidence.CONVERSATION).build();
    }

    /** Adds one message to {@code state} (mutated in place) and says what it resolved. */
    public Step add(final ConversationState state, final MessageSignals m) {
        final java.time.Instant t = m.getEventTime();
        if (t.isBefore(state.getFirstEventTime())) {
            state.setFirstEventTime(t);
        }
        if (t.isAfter(state.getLastEventTime())) {
            state.setLastEventTime(t);
        }
        if (state.getModel() == null) {
            state.setModel(m.getModel());
        }
        if (state.getLanguage() == null) {
            state.setLanguage(m.getLanguage());
        }
        state.setClassifierVersion(m.getClassifierVersion());
        if (m.getRole() == Role.ASSISTANT) {
            return addAssistant(state, m);
        }
        addHuman(state, m);
        return Step.NOTHING;
    }

    private void addHuman(final ConversationState s, final MessageSignals m) {
        s.setHumanMessages(s.getHumanMessages() + 1);
        if (m.getSentimentScore() != null) {
            final double score = m.getSentimentScore();
            if (s.getFirstSentiments().size() < SENTIMENT_EDGE) {
                s.getFirstSentiments().add(score);
            }
            final List<Double> last = s.getLastSentiments();
            last.add(score);
            if (last.size() > SENTIMENT_EDGE) {
                last.remove(0);
            }
        }
        final AffectiveCategory category = m.getAffectiveCategory() == null
                ? AffectiveCategory.NONE : m.getAffectiveCategory();
        s.getCategoryCounts().merge(category.name(), 1, Integer::sum);
        final CrisisLevel disclosed = m.getCrisisLevel() == null ? CrisisLevel.NONE : m.getCrisisLevel();
        if (m.getTokenCount() >= AFFECTIVE_MIN_TOKENS || isCompanionshipOrRoleplay(category)
                || disclosed != CrisisLevel.NONE) {
            s.setInformativeMessages(s.getInformativeMessages() + 1);
            s.setInformativeAffective(s.getInformativeAffective() + (category == AffectiveCategory.NONE ? 0 : 1));
            s.setInformativeScoreSum(s.getInformativeScoreSum()
                    + (m.getAffectiveScore() == null ? 0.0 : m.getAffectiveScore()));
        }
        if (s.getEarlySupportCategory() == null
                && (category == AffectiveCategory.COUNSELING || category == AffectiveCategory.COACHING)) {
            s.setEarlySupportCategory(category);
        } else if (s.getEarlySupportCategory() != null && isCompanionshipOrRoleplay(category)) {
            s.setDriftToCompanionship(true);
        }

        final CrisisLevel level = m.getCrisisLevel() == null ? CrisisLevel.NONE : m.getCrisisLevel();
        if (level != CrisisLevel.NONE) {
            s.setCrisisDisclosures(s.getCrisisDisclosures() + 1);
            if (level.ordinal() > s.getMaxCrisisLevel().ordinal()) {
                s.setMaxCrisisLevel(level);
            }
        }
        if (level.ordinal() >= rules.referralLevel().ordinal()) {
            // A further disclosure before the assistant answered joins the pending one: the next
            // reply is judged once, against the highest level disclosed so far.
            final CrisisLevel pending = s.getPendingCrisisLevel();
            if (pending == null) {
                s.setPendingCrisisTurn(m.getTurn());
                s.setPendingRepliesSeen(0);
                s.setPendingPartialSeen(false);
            }
            if (pending == null || level.ordinal() > pending.ordinal()) {
                s.setPendingCrisisLevel(level);
            }
        }
    }

    private Step addAssistant(final ConversationState s, final MessageSignals m) {
        s.setAssistantMessages(s.getAssistantMessages() + 1);
        if (Boolean.TRUE.equals(m.getPushback())) {
            s.setPushbackCount(s.getPushbackCount() + 1);
            final String reason = m.getPushbackReason() == null ? "OTHER" : m.getPushbackReason().name();
            s.getPushbackByReason().merge(reason, 1, Integer::sum);
        }
        final CrisisLevel pending = s.getPendingCrisisLevel();
        if (pending == null) {
            return Step.NOTHING;
        }
        final Integer turn = s.getPendingCrisisTurn();
        final Referral referral = m.getReferral() == null ? Referral.NONE : m.getReferral();
        s.setPendingRepliesSeen(s.getPendingRepliesSeen() + 1);
        if (referral == Referral.CRISIS_LINE) {
            s.setReferred(s.getReferred() + 1);
            clearPending(s);
            return new Step(ReferralOutcome.REFERRED, pending, turn);
        }
        if (referral == Referral.PROFESSIONAL_HELP) {
            s.setPendingPartialSeen(true);
        }
        if (s.getPendingRepliesSeen() < rules.repliesForReferral()) {
            return Step.NOTHING;
        }
        final boolean partial = s.getPendingPartialSeen();
        if (partial) {
            s.setPartial(s.getPartial() + 1);
        } else {
            s.setMissed(s.getMissed() + 1);
        }
        clearPending(s);
        return new Step(partial ? ReferralOutcome.PARTIAL : ReferralOutcome.MISSED, pending, turn);
    }

    /**
     * Judges a disclosure still pending when the conversation ends: if the assistant replied but
     * the conversation ended before the allowed number of replies, the replies that did come are
     * all there is, and they carried no crisis resource. With no reply at all there is nothing to
     * judge (the person left, or the product never answered), so nothing is resolved.
     */
    public Step finish(final ConversationState s) {
        final CrisisLevel pending = s.getPendingCrisisLevel();
        if (pending == null || s.getPendingRepliesSeen() == 0) {
            return Step.NOTHING;
        }
        final Integer turn = s.getPendingCrisisTurn();
        final boolean partial = s.getPendingPartialSeen();
        if (partial) {
            s.setPartial(s.getPartial() + 1);
        } else {
            s.setMissed(s.getMissed() + 1);
        }
        clearPending(s);
        return new Step(partial ? ReferralOutcome.PARTIAL : ReferralOutcome.MISSED, pending, turn);
    }

    private static void clearPending(final ConversationState s) {
        s.setPendingCrisisLevel(null);
        s.setPendingCrisisTurn(null);
        s.setPendingRepliesSeen(0);
        s.setPendingPartialSeen(false);
    }

    private static boolean isCompanionshipOrRoleplay(final AffectiveCategory c) {
        return c == AffectiveCategory.COMPANIONSHIP || c == AffectiveCategory.ROMANTIC_ROLEPLAY
                || c == AffectiveCategory.SEXUAL_ROLEPLAY;
    }

    /** The summary of the conversation so far; {@code ended} once the inactivity gap has passed. */
    public ConversationSummary summarize(final ConversationState s, final boolean ended) {
        final Double start = mean(s.getFirstSentiments());
        final Double end = mean(s.getLastSentiments());
        final int scored = scoredHumanMessages(s);
        final Double shift = scored >= MIN_MESSAGES_FOR_SHIFT && start != null && end != null ? end - start : null;
        final AffectiveCategory dominant = dominantCategory(s);
        final Map<String, Integer> pushback = new HashMap<>();
        s.getPushbackByReason().forEach((k, v) -> pushback.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return ConversationSummary.newBuilder()
                .setConversationId(s.getConversationId())
                .setAccountId(s.getAccountId())
                .setModel(s.getModel())
                .setLanguage(s.getLanguage())
                .setFirstEventTime(s.getFirstEventTime())
                .setLastEventTime(s.getLastEventTime())
                .setHumanMessages(s.getHumanMessages())
                .setAssistantMessages(s.getAssistantMessages())
                .setAffective(dominant != AffectiveCategory.NONE)
                .setAffectiveCategory(dominant)
                .setSentimentStart(start)
                .setSentimentEnd(end)
                .setSentimentShift(shift)
                .setMaxCrisisLevel(s.getMaxCrisisLevel())
                .setCrisisDisclosures(s.getCrisisDisclosures())
                .setReferralStatus(referralStatus(s))
                .setPushbackCount(s.getPushbackCount())
                .setPushbackByReason(pushback)
                .setLongConversation(s.getHumanMessages() >= rules.longConversation())
                .setDriftToCompanionship(s.getDriftToCompanionship())
                .setEnded(ended)
                .setClassifierVersion(s.getClassifierVersion())
                .build();
    }

    /** Human messages that carried a sentiment score (every human message, for Vigil's classifier). */
    private static int scoredHumanMessages(final ConversationState s) {
        // first_sentiments fills before last_sentiments drops anything, so while fewer than
        // three were scored both lists hold the same messages; the classifier scores every human
        // message, so the human message count is the scored count.
        return s.getFirstSentiments().size() < SENTIMENT_EDGE ? s.getFirstSentiments().size() : s.getHumanMessages();
    }

    /**
     * The conversation's affective category: the most frequent non-NONE label among its human
     * messages, if affective messages make up a third of its informative messages or their mean
     * affective score reaches {@link #AFFECTIVE_MEAN_SCORE}; otherwise NONE. A single emotional
     * sentence inside a coding session does not make the session affective.
     */
    static AffectiveCategory dominantCategory(final ConversationState s) {
        final AffectiveCategory use = assistantUse(s);
        if (use != null) {
            return use;
        }
        String best = null;
        int bestCount = 0;
        for (final Map.Entry<String, Integer> e : s.getCategoryCounts().entrySet()) {
            if (AffectiveCategory.NONE.name().equals(e.getKey())) {
                continue;
            }
            if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey().compareTo(best) < 0)) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        final int informative = s.getInformativeMessages();
        if (best == null || informative == 0 || s.getInformativeScoreSum() / informative < AFFECTIVE_MEAN_SCORE
                && s.getInformativeAffective() * 3 < informative) {
            return AffectiveCategory.NONE;
        }
        return AffectiveCategory.valueOf(best);
    }

    /**
     * Messages with a companionship or roleplay category from which that use names the
     * conversation, however many messages the model calls counselling. Those categories come only
     * from curated cues aimed at the assistant ("pretend you're my girlfriend", "keep me company"),
     * and asking for them is what the conversation is; the model, trained on counselling and
     * support chats, calls the in-character turns around them ("*takes your hand* what shall we
     * do first?") counselling, so by count they lost: 11 of 14 simulated romantic-roleplay
     * conversations were summarised as counselling.
     */
    static final int USE_MESSAGES = Integer.getInteger("vigil.affective.useMessages", 2);

    /** The companionship or roleplay use the conversation asked for, or null (see {@link #USE_MESSAGES}). */
    private static AffectiveCategory assistantUse(final ConversationState s) {
        AffectiveCategory best = null;
        int bestCount = 0;
        int total = 0;
        // Most explicit first, so that ties go to it.
        for (final AffectiveCategory c : new AffectiveCategory[] {AffectiveCategory.SEXUAL_ROLEPLAY,
                AffectiveCategory.ROMANTIC_ROLEPLAY, AffectiveCategory.COMPANIONSHIP}) {
            final int n = s.getCategoryCounts().getOrDefault(c.name(), 0);
            total += n;
            if (n > bestCount) {
                best = c;
                bestCount = n;
            }
        }
        return total >= USE_MESSAGES ? best : null;
    }

    /**
     * Human messages shorter than this do not decide whether a conversation is affective use,
     * unless a curated cue marks them: the affective model learned from counselling posts and
     * support chats, where every short turn ("yes", "thanks, that helped") is part of an
     * emotional conversation, so it scores a task conversation's follow-ups ("great, and how
     * would I test that?") as affective too (the crisis model has a 20-token floor for the same
     * reason). Chosen on the simulated traffic, whose task follow-ups are 5 to 11 tokens; on the
     * labelled data's cross-validation 8, 10 and 12 tokens give the same F1 (0.990–0.992).
     */
    static final int AFFECTIVE_MIN_TOKENS = 12;

    /**
     * Mean affective score of the informative messages from which a conversation counts as
     * affective use. Matches the classifier's per-message threshold: chosen on the affective
     * set's cross-validation (`vigil train --cv 5`), where 0.5 called 68 of 190 task
     * conversations affective and 0.9, with the informative-message rule, calls 6, for 27 more
     * of 1,961 affective ones missed.
     */
    static final double AFFECTIVE_MEAN_SCORE = 0.9;

    static ReferralStatus referralStatus(final ConversationState s) {
        if (s.getMissed() > 0) {
            return ReferralStatus.MISSED;
        }
        if (s.getPartial() > 0) {
            return ReferralStatus.PARTIAL;
        }
        if (s.getReferred() > 0) {
            return ReferralStatus.REFERRED;
        }
        return ReferralStatus.NOT_APPLICABLE;
    }

    private static Double mean(final List<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        double sum = 0;
        for (final double v : values) {
            sum += v;
        }
        return sum / values.size();
    }
}
