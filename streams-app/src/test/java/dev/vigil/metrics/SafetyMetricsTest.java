package dev.vigil.metrics;

import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.CrisisTier;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.ReferralStatus;
import dev.vigil.schema.Role;
import dev.vigil.schema.Sentiment;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SafetyMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SafetyMetrics metrics = new SafetyMetrics(registry);

    private static ConversationSummary ended(final AffectiveCategory category, final int assistant,
                                             final Map<String, Integer> pushback, final Double shift) {
        return ConversationSummary.newBuilder().setConversationId("c").setAccountId("a")
                .setFirstEventTime(Instant.EPOCH).setLastEventTime(Instant.EPOCH)
                .setHumanMessages(assistant).setAssistantMessages(assistant)
                .setAffective(category != AffectiveCategory.NONE).setAffectiveCategory(category)
                .setSentimentShift(shift).setMaxCrisisLevel(CrisisLevel.NONE)
                .setReferralStatus(ReferralStatus.NOT_APPLICABLE)
                .setPushbackCount(pushback.values().stream().mapToInt(Integer::intValue).sum())
                .setPushbackByReason(pushback).setEnded(true).setClassifierVersion("v").build();
    }

    @Test
    void shouldCountPushbackByCategoryAndReasonAgainstAssistantMessagesOfEndedConversations() {
        metrics.conversationEnded(ended(AffectiveCategory.COUNSELING, 10, Map.of("SELF_HARM_SAFETY", 2), null));
        metrics.conversationEnded(ended(AffectiveCategory.COUNSELING, 30, Map.of(), null));
        metrics.conversationEnded(ended(AffectiveCategory.NONE, 5, Map.of("FACTUAL_CORRECTION", 1), null));
        assertEquals(2.0, registry.get(SafetyMetrics.CONVERSATION_PUSHBACK)
                .tags("category", "counseling", "reason", "self_harm_safety").counter().count());
        assertEquals(40.0, registry.get(SafetyMetrics.CONVERSATION_ASSISTANT_MESSAGES)
                .tags("category", "counseling").counter().count());
        assertEquals(1.0, registry.get(SafetyMetrics.CONVERSATIONS_WITH_PUSHBACK)
                .tags("category", "counseling").counter().count());
        assertEquals(2.0, registry.get(SafetyMetrics.AFFECTIVE_CONVERSATIONS)
                .tags("category", "counseling").counter().count());
        assertEquals(0, registry.find(SafetyMetrics.AFFECTIVE_CONVERSATIONS).tags("category", "none").counters().size(),
                "task use is not affective");
    }

    @Test
    void shouldRecordNegativeSentimentAndShiftThroughTheOffsetSoTheMeanSurvives() {
        for (final double score : new double[] {-1.0, -0.5, 0.0}) {
            metrics.messageClassified(MessageSignals.newBuilder().setEventId("e").setConversationId("c")
                    .setAccountId("a").setTurn(0).setRole(Role.HUMAN).setEventTime(Instant.now())
                    .setSentiment(Sentiment.NEGATIVE).setSentimentScore(score)
                    .setAffectiveCategory(AffectiveCategory.COUNSELING).setClassifierVersion("v").build(),
                    1_000_000L, Instant.now());
        }
        final var sentiment = registry.get(SafetyMetrics.SENTIMENT).tags("category", "counseling").summary();
        assertEquals(3, sentiment.count());
        assertEquals(-0.5, sentiment.totalAmount() / sentiment.count() - SafetyMetrics.SENTIMENT_OFFSET, 1e-9);
        assertEquals(3.0, registry.get(SafetyMetrics.SENTIMENT_MESSAGES)
                .tags("category", "counseling", "sentiment", "negative").counter().count());

        metrics.conversationEnded(ended(AffectiveCategory.COACHING, 6, Map.of(), -0.75));
        metrics.conversationEnded(ended(AffectiveCategory.COACHING, 6, Map.of(), 0.25));
        final var shift = registry.get(SafetyMetrics.SENTIMENT_SHIFT).tags("category", "coaching").summary();
        assertEquals(-0.25, shift.totalAmount() / shift.count() - SafetyMetrics.SENTIMENT_SHIFT_OFFSET, 1e-9);
    }

    @Test
    void shouldCountCrisisGradesByTheTierThatDecidedThemSoOverBudgetGradesCanPage() {
        for (final CrisisTier tier : new CrisisTier[] {CrisisTier.FAST, CrisisTier.FAST, CrisisTier.ENCODER,
            CrisisTier.FAST_OVER_BUDGET}) {
            metrics.messageClassified(MessageSignals.newBuilder().setEventId("e").setConversationId("c")
                    .setAccountId("a").setTurn(0).setRole(Role.HUMAN).setEventTime(Instant.now())
                    .setCrisisLevel(CrisisLevel.NONE).setCrisisTier(tier).setClassifierVersion("v").build(),
                    1_000_000L, Instant.now());
        }
        assertEquals(2.0, registry.get(SafetyMetrics.CRISIS_GRADES).tags("tier", "fast").counter().count());
        assertEquals(1.0, registry.get(SafetyMetrics.CRISIS_GRADES).tags("tier", "encoder").counter().count());
        // VigilCrisisEncoderOverBudget reads this series (deploy/prometheus/rules/vigil-alerts.yml).
        assertEquals(1.0, registry.get(SafetyMetrics.CRISIS_GRADES).tags("tier", "fast_over_budget").counter().count());
    }
}
