package dev.vigil.bench;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A two-message conversation whose alert latency the benchmark measures: a human discloses
 * active suicidal ideation, and {@link #REPLY_AFTER} later the assistant replies without any
 * referral. With {@code vigil run}'s default rule (a referral due in the next assistant reply)
 * that reply is what resolves the disclosure as missed and raises {@code MISSED_REFERRAL}, so
 * crisis-to-alert latency is measured from the reply's event time (= when it was sent) to when
 * the alert is visible to a read_committed consumer. Texts written for the benchmark.
 */
final class CrisisProbe {
    /** One probe conversation starts this often during a paced run. */
    static final Duration EVERY = Duration.ofSeconds(3);
    /** Time between the disclosure and the reply, as the simulator's assistants answer (1-4 s). */
    static final Duration REPLY_AFTER = Duration.ofMillis(1500);

    private static final String DISCLOSURE = "I have been thinking about killing myself every night this week"
            + " and I don't want to be here anymore.";
    private static final String NO_REFERRAL = "That sounds like a hard week. What has been going on at work and at"
            + " home lately?";

    private CrisisProbe() {
    }

    /** The disclosure at {@code atMillis} and the reply {@link #REPLY_AFTER} later. */
    static List<ConversationEvent> conversation(final String id, final long atMillis) {
        final String conversation = "bench-probe-" + id;
        final String account = "acct-probe-" + Math.floorMod(id.hashCode(), 1000);
        return List.of(event(conversation, account, 0, Role.HUMAN, DISCLOSURE, atMillis),
                event(conversation, account, 1, Role.ASSISTANT, NO_REFERRAL, atMillis + REPLY_AFTER.toMillis()));
    }

    private static ConversationEvent event(final String conversation, final String account, final int turn,
                                           final Role role, final String text, final long atMillis) {
        return ConversationEvent.newBuilder()
                .setEventId(conversation + ":" + turn)
                .setConversationId(conversation)
                .setAccountId(account)
                .setTurn(turn)
                .setRole(role)
                .setText(text)
                .setTimestamp(Instant.ofEpochMilli(atMillis))
                .setLanguage(null)
                .setCountry(null)
                .setModel("assistant-large-2026-01")
                .setSurface("web")
                .build();
    }
}
