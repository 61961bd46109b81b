package dev.vigil.conversation;

import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.ConversationState;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.Referral;
import dev.vigil.schema.ReferralStatus;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.MonitoringDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.vigil.topology.MonitoringDriver.assistant;
import static dev.vigil.topology.MonitoringDriver.at;
import static dev.vigil.topology.MonitoringDriver.human;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConversationStageTest {

    private static void crisisExchange(final MonitoringDriver d, final String conversation, final CrisisLevel level,
                                       final Referral reply) {
        d.send(human(conversation, "acct-1", 0, at(Duration.ZERO)).build());
        d.send(assistant(conversation, "acct-1", 1, at(Duration.ofSeconds(20))).build());
        d.send(human(conversation, "acct-1", 2, at(Duration.ofMinutes(1)))
                .setCrisisLevel(level).setCrisisScore(0.93).setSentimentScore(-1.0).build());
        d.send(assistant(conversation, "acct-1", 3, at(Duration.ofMinutes(1).plusSeconds(15)))
                .setReferral(reply).build());
    }

    @Test
    void shouldRaiseMissedReferralWhenNoReferralFollowsCrisis() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            crisisExchange(d, "conv-missed", CrisisLevel.ACTIVE_IDEATION, Referral.NONE);
            final List<SafetyAlert> alerts = d.alerts();
            assertEquals(1, alerts.size(), "one disclosure without referral is one alert");
            final SafetyAlert a = alerts.get(0);
            assertEquals(AlertType.MISSED_REFERRAL, a.getType());
            assertEquals(Severity.WARNING, a.getSeverity());
            assertEquals("conv-missed", a.getSubject());
            assertEquals("active_ideation", a.getEvidence().get("crisis_level"));
            assertEquals("2", a.getEvidence().get("disclosure_turn"));
            assertTrue(a.getRunbookUrl().endsWith("/docs/runbooks/missed-referral.md"), a.getRunbookUrl());
            assertEquals(at(Duration.ofMinutes(1).plusSeconds(15)), a.getRaisedAt());
        }
    }

    @Test
    void shouldRateMissedReferralAfterIntentOrPlanAsCritical() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            crisisExchange(d, "conv-plan", CrisisLevel.INTENT_OR_PLAN, Referral.NONE);
            assertEquals(Severity.CRITICAL, d.alerts().get(0).getSeverity());
        }
    }

    @Test
    void shouldNotAlertWhenCrisisLineFollowsDisclosure() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            crisisExchange(d, "conv-referred", CrisisLevel.ACTIVE_IDEATION, Referral.CRISIS_LINE);
            assertTrue(d.alerts().isEmpty());
            final List<ConversationSummary> summaries = d.summaries();
            assertEquals(ReferralStatus.REFERRED, summaries.get(summaries.size() - 1).getReferralStatus());
            assertEquals(1.0, d.metrics().registry().get("vigil.referral.outcomes")
                    .tag("outcome", "referred").counter().count());
        }
    }

    @Test
    void shouldRaisePartialReferralWarningWhenOnlyGenericHelpFollows() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            crisisExchange(d, "conv-partial", CrisisLevel.ACTIVE_IDEATION, Referral.PROFESSIONAL_HELP);
            final List<SafetyAlert> alerts = d.alerts();
            assertEquals(1, alerts.size());
            assertEquals(AlertType.PARTIAL_REFERRAL, alerts.get(0).getType());
            assertEquals(Severity.WARNING, alerts.get(0).getSeverity());
            assertTrue(alerts.get(0).getRunbookUrl().endsWith("partial-referral.md"));
        }
    }

    @Test
    void shouldRaiseMissedReferralWhenTheConversationEndsBeforeTheAllowedRepliesCarriedOne() {
        final MonitoringConfig config = MonitoringConfig.builder().repliesForReferral(2).build();
        try (MonitoringDriver d = new MonitoringDriver(config)) {
            crisisExchange(d, "conv-short", CrisisLevel.ACTIVE_IDEATION, Referral.NONE);
            assertTrue(d.alerts().isEmpty(), "one more reply may still carry the referral");
            d.advanceStreamTime(at(Duration.ofHours(1)));
            final List<SafetyAlert> alerts = d.alerts();
            assertEquals(1, alerts.size());
            assertEquals(AlertType.MISSED_REFERRAL, alerts.get(0).getType());
            assertEquals("conversation_ended", alerts.get(0).getEvidence().get("reply_turn"));
            final ConversationSummary end = d.summaries().stream()
                    .filter(s -> s.getConversationId().equals("conv-short") && s.getEnded()).findFirst().orElseThrow();
            assertEquals(ReferralStatus.MISSED, end.getReferralStatus());
        }
    }

    @Test
    void shouldNotJudgePassiveIdeationBelowTheConfiguredLevel() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            crisisExchange(d, "conv-passive", CrisisLevel.PASSIVE_IDEATION, Referral.NONE);
            assertTrue(d.alerts().isEmpty(), "default referral level is active ideation");
        }
    }

    /** A human message the classifier found elevated: not flagged alone (crisis_elevated). */
    private static dev.vigil.schema.MessageSignals elevated(final String conversation, final int turn) {
        return human(conversation, "acct-3", turn, at(Duration.ofMinutes(turn)))
                .setCrisisScore(0.5).setCrisisElevated(true).setTokenCount(30).build();
    }

    @Test
    void shouldFlagTheElevatedMessageThatCompletesItsConversationsCrisisContext() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            for (int turn = 0; turn < ConversationAccumulator.CONTEXT_MESSAGES - 1; turn++) {
                d.send(elevated("conv-context", turn * 2));
                // Another conversation's elevated messages do not add to this one's.
                d.send(elevated("conv-other", turn * 2));
            }
            assertEquals(CrisisLevel.NONE, last(d.summaries(), "conv-context").getMaxCrisisLevel(),
                    "elevated messages below the count are not a disclosure");
            d.send(elevated("conv-context", 10));
            assertEquals(CrisisLevel.PASSIVE_IDEATION, last(d.summaries(), "conv-context").getMaxCrisisLevel());
            d.send(elevated("conv-other", 11));
            assertEquals(CrisisLevel.PASSIVE_IDEATION, last(d.summaries(), "conv-other").getMaxCrisisLevel(),
                    "its own third elevated message");
            assertEquals(2.0, d.metrics().registry().get("vigil.crisis.disclosures")
                    .tag("evidence", "conversation").tag("level", "passive_ideation").counter().count());
            assertTrue(d.alerts().isEmpty(), "passive ideation is below the referral rung");
            // The count is part of the conversation's stored state, which the changelog restores.
            final KeyValueStore<String, ConversationState> states =
                    d.driver().getKeyValueStore(ConversationStage.STATE_STORE);
            assertEquals(ConversationAccumulator.CONTEXT_MESSAGES, states.get("conv-context").getElevatedMessages());
        }
    }

    @Test
    void shouldResumeTheCrisisContextFromStoredStateAfterARestart() throws Exception {
        final ConversationAccumulator before = new ConversationAccumulator();
        final ConversationState state = before.start(elevated("conv-restart", 0));
        for (int turn = 0; turn < ConversationAccumulator.CONTEXT_MESSAGES - 1; turn++) {
            final var m = elevated("conv-restart", turn);
            before.add(state, before.inContext(state, m));
        }
        // What the state store's changelog holds, read back by a fresh process.
        final ConversationState restored = ConversationState.getDecoder().decode(ConversationState.getEncoder().encode(state));
        final ConversationAccumulator after = new ConversationAccumulator();
        final var next = after.inContext(restored, elevated("conv-restart", 9));
        assertEquals(CrisisLevel.PASSIVE_IDEATION, next.getCrisisLevel());
        assertEquals(dev.vigil.schema.CrisisEvidence.CONVERSATION, next.getCrisisEvidence());
        // Messages the classifier already flagged, or did not find elevated, do not count.
        final ConversationState fresh = after.start(elevated("conv-plain", 0));
        for (int turn = 0; turn < 5; turn++) {
            after.inContext(fresh, human("conv-plain", "acct-3", turn, at(Duration.ofMinutes(turn))).build());
            after.inContext(fresh, human("conv-plain", "acct-3", turn, at(Duration.ofMinutes(turn)))
                    .setCrisisLevel(CrisisLevel.ACTIVE_IDEATION).setCrisisElevated(true).build());
        }
        assertEquals(0, fresh.getElevatedMessages());
    }

    private static ConversationSummary last(final List<ConversationSummary> summaries, final String conversation) {
        return summaries.stream().filter(s -> s.getConversationId().equals(conversation))
                .reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void shouldEndConversationSlightlyMorePositiveAfterInactivityGap() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            final double[] sentiment = {-0.5, -0.5, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0};
            int turn = 0;
            for (int i = 0; i < sentiment.length; i++) {
                d.send(human("conv-shift", "acct-2", turn++, at(Duration.ofMinutes(2L * i)))
                        .setAffectiveCategory(AffectiveCategory.COUNSELING).setAffectiveScore(0.9)
                        .setSentimentScore(sentiment[i]).build());
                d.send(assistant("conv-shift", "acct-2", turn++, at(Duration.ofMinutes(2L * i + 1))).build());
            }
            final List<ConversationSummary> updates = d.summaries();
            assertEquals(18, updates.size(), "a summary update per message");
            assertFalse(updates.get(updates.size() - 1).getEnded());

            // 29 minutes of silence: still open. 31 minutes: ended.
            d.advanceStreamTime(at(Duration.ofMinutes(17 + 29)));
            assertTrue(d.summaries().stream().noneMatch(s -> s.getConversationId().equals("conv-shift")
                    && s.getEnded()));
            d.advanceStreamTime(at(Duration.ofMinutes(17 + 31)));
            final ConversationSummary end = d.summaries().stream()
                    .filter(s -> s.getConversationId().equals("conv-shift")).reduce((a, b) -> b).orElseThrow();
            assertTrue(end.getEnded());
            assertEquals(9, end.getHumanMessages());
            assertEquals(-1.0 / 3, end.getSentimentStart(), 1e-9);
            assertEquals(0.0, end.getSentimentEnd(), 1e-9);
            assertEquals(1.0 / 3, end.getSentimentShift(), 1e-9, "ends slightly more positive than it starts");
            assertEquals(AffectiveCategory.COUNSELING, end.getAffectiveCategory());
            assertFalse(end.getLongConversation());

            final KeyValueStore<String, ConversationState> store =
                    d.driver().getKeyValueStore(ConversationStage.STATE_STORE);
            assertNull(store.get("conv-shift"), "ended conversations leave the state store");
            assertEquals(1.0, d.metrics().registry().get("vigil.conversations.ended")
                    .tag("category", "counseling").counter().count());
        }
    }

    @Test
    void shouldEndAConversationResumedAfterTheGapBeforeCountingItsNewMessage() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            d.send(human("conv-resumed", "acct-4", 0, at(Duration.ZERO)).build());
            d.send(assistant("conv-resumed", "acct-4", 1, at(Duration.ofMinutes(1))).build());
            d.send(human("conv-resumed", "acct-4", 2, at(Duration.ofMinutes(45))).build());
            final List<ConversationSummary> s = d.summaries();
            assertEquals(4, s.size());
            assertTrue(s.get(2).getEnded(), "the first session ends when the resumed message arrives");
            assertEquals(2, s.get(2).getHumanMessages() + s.get(2).getAssistantMessages());
            assertFalse(s.get(3).getEnded());
            assertEquals(1, s.get(3).getHumanMessages(), "the resumed conversation starts afresh");
        }
    }

    @Test
    void shouldEndALateConversationOlderThanEveryOpenOneAtTheNextMessage() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            d.send(human("conv-early", "acct-5", 0, at(Duration.ZERO)).build());
            d.send(human("conv-now", "acct-6", 0, at(Duration.ofMinutes(40))).build()); // ends conv-early
            // Late: older than the gap already, and older than every conversation still open.
            d.send(human("conv-late", "acct-7", 0, at(Duration.ofMinutes(5))).build());
            d.send(human("conv-now", "acct-6", 1, at(Duration.ofMinutes(41))).build());
            final List<String> ended = d.summaries().stream().filter(ConversationSummary::getEnded)
                    .map(ConversationSummary::getConversationId).toList();
            assertEquals(List.of("conv-early", "conv-late"), ended,
                    "the next message after the late one closes it, as it closed every conversation past the gap");
        }
    }

    private static ConversationSummary endOf(final MonitoringDriver d, final String conversation) {
        d.advanceStreamTime(at(Duration.ofHours(2)));
        return d.summaries().stream()
                .filter(s -> s.getConversationId().equals(conversation) && s.getEnded()).findFirst().orElseThrow();
    }

    @Test
    void shouldNotCallATaskConversationAffectiveForItsShortFollowUps() {
        // The affective model scores short chat turns ("great, and how would I test that?") as
        // affective: they may not decide the conversation, its task request does.
        try (MonitoringDriver d = new MonitoringDriver()) {
            d.send(human("conv-task", "acct-4", 0, at(Duration.ZERO)).setTokenCount(14)
                    .setAffectiveCategory(AffectiveCategory.NONE).setAffectiveScore(0.2).build());
            for (int i = 1; i <= 3; i++) {
                d.send(assistant("conv-task", "acct-4", 2 * i - 1, at(Duration.ofMinutes(i))).build());
                d.send(human("conv-task", "acct-4", 2 * i, at(Duration.ofMinutes(i).plusSeconds(30))).setTokenCount(8)
                        .setAffectiveCategory(AffectiveCategory.COUNSELING).setAffectiveScore(0.97).build());
            }
            final ConversationSummary end = endOf(d, "conv-task");
            assertFalse(end.getAffective());
            assertEquals(AffectiveCategory.NONE, end.getAffectiveCategory());
        }
    }

    @Test
    void shouldCallAConversationOfShortRoleplayTurnsAffective() {
        // Curated roleplay and companionship cues are reliable on short turns ("*kisses you*").
        try (MonitoringDriver d = new MonitoringDriver()) {
            for (int i = 0; i < 3; i++) {
                d.send(human("conv-rp", "acct-5", 2 * i, at(Duration.ofMinutes(i))).setTokenCount(5)
                        .setAffectiveCategory(AffectiveCategory.ROMANTIC_ROLEPLAY).setAffectiveScore(0.9).build());
                d.send(assistant("conv-rp", "acct-5", 2 * i + 1, at(Duration.ofMinutes(i).plusSeconds(30))).build());
            }
            final ConversationSummary end = endOf(d, "conv-rp");
            assertTrue(end.getAffective());
            assertEquals(AffectiveCategory.ROMANTIC_ROLEPLAY, end.getAffectiveCategory());
        }
    }

    @Test
    void shouldNameAConversationByTheRoleplayItAskedForAmongTurnsTheModelCallsCounselling() {
        // The model calls in-character turns ("*takes your hand* what shall we do first?")
        // counselling; two requests to the assistant to play a partner say what the conversation is.
        assertEquals(AffectiveCategory.ROMANTIC_ROLEPLAY, summarisedCategory("conv-date", i -> i == 0 || i == 3
                ? AffectiveCategory.ROMANTIC_ROLEPLAY : AffectiveCategory.COUNSELING));
    }

    @Test
    void shouldNotNameACounsellingConversationByOneLonelyRemark() {
        assertEquals(AffectiveCategory.COUNSELING, summarisedCategory("conv-counsel", i -> i == 2
                ? AffectiveCategory.COMPANIONSHIP : AffectiveCategory.COUNSELING));
    }

    /** The ended summary's category of seven exchanges whose human turns carry {@code category.apply(i)}. */
    private static AffectiveCategory summarisedCategory(final String conversation,
                                                        final java.util.function.IntFunction<AffectiveCategory> category) {
        try (MonitoringDriver d = new MonitoringDriver()) {
            for (int i = 0; i < 7; i++) {
                d.send(human(conversation, "acct-6", 2 * i, at(Duration.ofMinutes(i))).setTokenCount(16)
                        .setAffectiveCategory(category.apply(i)).setAffectiveScore(0.95).build());
                d.send(assistant(conversation, "acct-6", 2 * i + 1, at(Duration.ofMinutes(i).plusSeconds(30))).build());
            }
            return endOf(d, conversation).getAffectiveCategory();
        }
    }

    @Test
    void shouldFlagLongConversationThatDriftsFromCounselingToCompanionship() {
        try (MonitoringDriver d = new MonitoringDriver()) {
            for (int i = 0; i < 50; i++) {
                final AffectiveCategory c = i < 30 ? AffectiveCategory.COUNSELING : AffectiveCategory.COMPANIONSHIP;
                d.send(human("conv-long", "acct-3", 2 * i, at(Duration.ofMinutes(i)))
                        .setAffectiveCategory(c).setAffectiveScore(0.9).build());
                d.send(assistant("conv-long", "acct-3", 2 * i + 1, at(Duration.ofMinutes(i).plusSeconds(30))).build());
            }
            d.advanceStreamTime(at(Duration.ofHours(2)));
            final ConversationSummary end = d.summaries().stream()
                    .filter(s -> s.getConversationId().equals("conv-long") && s.getEnded()).findFirst().orElseThrow();
            assertTrue(end.getLongConversation());
            assertTrue(end.getDriftToCompanionship());
            assertNotNull(end.getSentimentShift());
        }
    }
}
