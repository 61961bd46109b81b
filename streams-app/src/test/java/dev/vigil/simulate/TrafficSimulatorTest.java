package dev.vigil.simulate;

import dev.vigil.abuse.SimHash;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import dev.vigil.simulate.TrafficSimulator.Kind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrafficSimulatorTest {
    private static final Instant START = Instant.parse("2026-02-01T12:00:00Z");
    private static final Set<Kind> AFFECTIVE = EnumSet.of(Kind.INTERPERSONAL_ADVICE, Kind.COACHING, Kind.COUNSELING,
            Kind.COMPANIONSHIP, Kind.ROMANTIC_ROLEPLAY, Kind.SEXUAL_ROLEPLAY);
    private static final Set<Kind> SUPPORTIVE = EnumSet.of(Kind.INTERPERSONAL_ADVICE, Kind.COACHING, Kind.COUNSELING,
            Kind.COMPANIONSHIP);

    private record Run(List<ConversationEvent> events, Map<String, Kind> kinds) {
    }

    private static Run run(final long seed, final double rate, final Duration duration) {
        final Map<String, Kind> kinds = new HashMap<>();
        final TrafficSimulator sim = new TrafficSimulator(seed, START, rate, duration).onConversation(kinds::put);
        final List<ConversationEvent> events = new ArrayList<>();
        sim.forEachRemaining(events::add);
        return new Run(events, kinds);
    }

    @Test
    void shouldGiveTheSameTrafficForTheSameSeed() {
        assertEquals(run(7, 20, Duration.ofMinutes(5)).events(), run(7, 20, Duration.ofMinutes(5)).events());
        assertNotEquals(run(7, 20, Duration.ofMinutes(5)).events(), run(8, 20, Duration.ofMinutes(5)).events());
    }

    @Test
    void shouldEmitEventsInEventTimeOrderAtAboutTheRequestedRate() {
        final List<ConversationEvent> events = run(1, 50, Duration.ofMinutes(20)).events();
        for (int i = 1; i < events.size(); i++) {
            assertTrue(!events.get(i).getTimestamp().isBefore(events.get(i - 1).getTimestamp()), "ordered at " + i);
        }
        assertTrue(events.get(events.size() - 1).getTimestamp().isBefore(START.plus(Duration.ofMinutes(20))));
        final double perSecond = events.size() / (20 * 60.0);
        assertTrue(perSecond > 35 && perSecond < 65, "rate " + perSecond);
    }

    @Test
    void shouldNumberTurnsAndKeepEachConversationOnOneAccount() {
        final Map<String, List<ConversationEvent>> byConversation = run(3, 20, Duration.ofMinutes(10)).events().stream()
                .collect(Collectors.groupingBy(ConversationEvent::getConversationId));
        for (final List<ConversationEvent> c : byConversation.values()) {
            assertEquals(1, c.stream().map(ConversationEvent::getAccountId).distinct().count());
            for (int i = 0; i < c.size(); i++) {
                assertEquals(i, c.get(i).getTurn());
                assertEquals(i % 2 == 0 ? Role.HUMAN : Role.ASSISTANT, c.get(i).getRole());
            }
        }
    }

    @Test
    void shouldHaveAFewPercentAffectiveConversationsAndRarePushbackInSupportiveOnes() {
        final Run run = run(11, 100, Duration.ofHours(1));
        final Map<Kind, Long> counts = run.kinds().values().stream()
                .collect(Collectors.groupingBy(k -> k, () -> new java.util.EnumMap<>(Kind.class), Collectors.counting()));
        final long total = run.kinds().size();
        final long affective = counts.entrySet().stream().filter(e -> AFFECTIVE.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        final double affectiveShare = affective / (double) total;
        assertTrue(affectiveShare > 0.015 && affectiveShare < 0.06, "affective share " + affectiveShare);
        for (final Kind k : AFFECTIVE) {
            assertTrue(counts.getOrDefault(k, 0L) > 0, "some " + k);
        }
        assertTrue(counts.get(Kind.COMPANIONSHIP) + counts.get(Kind.ROMANTIC_ROLEPLAY) + counts.get(Kind.SEXUAL_ROLEPLAY)
                < counts.get(Kind.INTERPERSONAL_ADVICE), "companionship and roleplay are the rarest");

        final Set<String> pushback = new HashSet<>(Texts.DIETING_PUSHBACK);
        pushback.addAll(Texts.SELF_TALK_PUSHBACK);
        pushback.addAll(Texts.DIAGNOSIS_PUSHBACK);
        final Set<String> supportive = run.kinds().entrySet().stream().filter(e -> SUPPORTIVE.contains(e.getValue()))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        final long withPushback = run.events().stream()
                .filter(e -> supportive.contains(e.getConversationId()) && pushback.contains(e.getText()))
                .map(ConversationEvent::getConversationId).distinct().count();
        final double pushbackShare = withPushback / (double) supportive.size();
        assertTrue(pushbackShare > 0.02 && pushbackShare < 0.10, "pushback share " + pushbackShare);
    }

    @Test
    void shouldIncludeCrisisDisclosuresWithAndWithoutReferral() {
        final Run run = run(5, 20, Duration.ofMinutes(30));
        final Set<Kind> kinds = EnumSet.copyOf(run.kinds().values());
        assertTrue(kinds.containsAll(EnumSet.of(Kind.CRISIS_REFERRED, Kind.CRISIS_PARTIAL, Kind.CRISIS_MISSED)));
        final Set<String> missed = run.kinds().entrySet().stream().filter(e -> e.getValue() == Kind.CRISIS_MISSED)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        final boolean anyReferralInMissed = run.events().stream()
                .filter(e -> missed.contains(e.getConversationId()) && e.getRole() == Role.ASSISTANT)
                .anyMatch(e -> e.getText().contains("988") || e.getText().contains("therapist"));
        assertTrue(!anyReferralInMissed, "a missed-referral conversation never mentions a referral");
    }

    @Test
    void shouldPlantACampaignOfManyAccountsWithNearDuplicateTextWithinMinutes() {
        final Run run = run(9, 20, Duration.ofMinutes(10));
        final Set<String> campaign = run.kinds().entrySet().stream().filter(e -> e.getValue() == Kind.CAMPAIGN)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        final List<ConversationEvent> posts = run.events().stream()
                .filter(e -> campaign.contains(e.getConversationId()) && e.getRole() == Role.HUMAN).toList();
        assertEquals(TrafficSimulator.CAMPAIGN_ACCOUNTS, posts.stream().map(ConversationEvent::getAccountId).distinct().count());
        assertTrue(posts.stream().map(ConversationEvent::getText).distinct().count() > 10, "the text varies");
        final Duration span = Duration.between(posts.get(0).getTimestamp(), posts.get(posts.size() - 1).getTimestamp());
        assertTrue(span.compareTo(Duration.ofMinutes(5)) < 0, "within minutes: " + span);
        // Near-identical: most copies lie within SimHash distance 3 (the coordinated-abuse
        // stage's threshold) of one central copy.
        final long near = posts.stream().mapToLong(center -> posts.stream()
                .filter(p -> SimHash.hammingDistance(SimHash.ofText(center.getText()), SimHash.ofText(p.getText())) <= 3)
                .count()).max().orElse(0);
        assertTrue(near >= posts.size() / 2, near + " of " + posts.size() + " within distance 3 of one copy");
    }
}
